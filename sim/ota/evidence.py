"""Statistical gates: is a release's failure rate acceptable, unacceptable, or not known yet?

The raw-rate gate (``error_test: rate``) compares errors / executed with a
threshold. Early in a wave that rate creeps up to the true rate from below
(successes are reported at the reboot, defect faults days later), and a wave
advances on the success count alone. The tests here decide on evidence, per
hardware configuration, from ``k`` errors among ``n`` *matured* results (an
error, or a success watched for ``result_maturity_days`` without a fault):

- ``wilson``: the Wilson score interval at one-sided ``confidence``;
- ``beta``: the Bayesian credible interval of a Beta posterior (Jeffreys prior);
- ``sprt``: Wald's sequential probability ratio test of ``p0`` against ``p1``
  with error probabilities ``alpha = beta = 1 - confidence``.

Each returns a verdict per hw config: ``BAD`` (the rate is above the
acceptable rate ``p0``: the interval's lower end is over it, or the SPRT
accepts ``p1``), ``GOOD`` (the rate is below the threshold ``p1``: the upper
end is under it, or the SPRT accepts ``p0``), else ``UNDECIDED``. ``p0 <
p1`` is the indifference zone: a true rate inside it may go either way.
A wave advances only on ``GOOD``; a hw config is paused on ``BAD``.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
from scipy.stats import beta as beta_dist

from configs.ota_schema import ERROR_TESTS

TESTS = ERROR_TESTS
UNDECIDED, GOOD, BAD = 0, 1, 2
VERDICTS = ("undecided", "good", "bad")
JEFFREYS = 0.5   # Beta(1/2, 1/2) prior: the reference prior of a binomial rate


Bounds = tuple[np.ndarray, np.ndarray]


def wilson_bounds(k: np.ndarray, n: np.ndarray, confidence: float) -> Bounds:
    """One-sided Wilson score bounds (lower, upper) of ``k / n`` at ``confidence``; n=0: (0, 1)."""
    k, n = np.asarray(k, float), np.asarray(n, float)
    z = NormalDist().inv_cdf(confidence)
    safe = np.maximum(n, 1.0)
    p = k / safe
    denom = 1.0 + z * z / safe
    centre = (p + z * z / (2 * safe)) / denom
    half = z * np.sqrt(p * (1 - p) / safe + z * z / (4 * safe * safe)) / denom
    empty = n <= 0
    return (np.where(empty, 0.0, np.clip(centre - half, 0.0, 1.0)),
            np.where(empty, 1.0, np.clip(centre + half, 0.0, 1.0)))


def beta_bounds(k: np.ndarray, n: np.ndarray, confidence: float) -> Bounds:
    """Quantiles ``1 - confidence``, ``confidence`` of the Beta(k + 1/2, n - k + 1/2) posterior."""
    a = np.asarray(k, float) + JEFFREYS
    b = np.asarray(n, float) - np.asarray(k, float) + JEFFREYS
    return beta_dist.ppf(1.0 - confidence, a, b), beta_dist.ppf(confidence, a, b)


def sprt_llr(k: np.ndarray, n: np.ndarray, p0: float, p1: float) -> np.ndarray:
    """Log likelihood ratio of failure rate ``p1`` against ``p0`` after ``k`` errors in ``n``."""
    k, n = np.asarray(k, float), np.asarray(n, float)
    return k * np.log(p1 / p0) + (n - k) * np.log((1 - p1) / (1 - p0))


def verdicts(test: str, k: np.ndarray, n: np.ndarray, p0: float, p1: float,
             confidence: float) -> np.ndarray:
    """The verdict (UNDECIDED, GOOD, BAD) per entry of ``k`` errors among ``n`` results.

    Args:
        test: ``wilson``, ``beta`` or ``sprt``.
        k, n: errors and matured results (arrays of the same shape).
        p0: the acceptable failure rate (BAD once the rate is shown above it).
        p1: the error threshold (GOOD once the rate is shown below it); p0 < p1.
        confidence: one-sided confidence of each bound (SPRT: 1 - its alpha and beta).
    """
    k, n = np.asarray(k), np.asarray(n)
    out = np.full(k.shape, UNDECIDED, np.int8)
    if test == "sprt":
        err = 1.0 - confidence
        llr = sprt_llr(k, n, p0, p1)
        out[llr <= np.log(err / (1 - err))] = GOOD
        out[llr >= np.log((1 - err) / err)] = BAD
        return out
    if test == "wilson":
        lo, hi = wilson_bounds(k, n, confidence)
    elif test == "beta":
        lo, hi = beta_bounds(k, n, confidence)
    else:
        raise ValueError(f"error_test={test!r} has no evidence verdict; "
                         f"allowed: wilson, beta, sprt")
    out[hi < p1] = GOOD
    out[lo > p0] = BAD
    return out


def describe(test: str, k: int, n: float, p0: float, p1: float, confidence: float) -> str:
    """The numbers behind one verdict, for a decision's reason."""
    if test == "sprt":
        llr = float(sprt_llr(np.array(k), np.array(n), p0, p1))
        err = 1.0 - confidence
        return (f"SPRT log LR {llr:.2f} over {k} errors / {n:.1f} matured results "
                f"(p0 {p0:g}, p1 {p1:g}; bounds {np.log(err / (1 - err)):.2f}, "
                f"{np.log((1 - err) / err):.2f})")
    bounds = wilson_bounds if test == "wilson" else beta_bounds
    lo, hi = bounds(np.array([k]), np.array([n]), confidence)
    return (f"{test} {confidence:g} bounds [{float(lo[0]):.4f}, {float(hi[0]):.4f}] over "
            f"{k} errors / {n:.1f} matured results (p0 {p0:g}, p1 {p1:g})")


class EvidenceGate:
    """A statistical gate's settings and its verdicts on a server view.

    Args:
        gates: the ``gates`` config (``error_test``, ``acceptable_error_frac``,
            ``error_threshold_frac``, ``confidence``, ``result_maturity_days``).
    """

    def __init__(self, gates) -> None:
        self.test = str(gates.error_test)
        self.p0 = float(gates.acceptable_error_frac)
        self.p1 = float(gates.error_threshold_frac)
        self.confidence = float(gates.confidence)
        self.maturity = int(gates.result_maturity_days)
        self.min_errors = int(gates.evidence_min_errors)

    def sample(self, view, day: int) -> tuple[np.ndarray, np.ndarray]:
        """Errors and matured results per hw config on ``day``."""
        return view.matured(day, self.maturity)

    def judge(self, k: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Verdict per entry (UNDECIDED, GOOD, BAD); BAD needs ``min_errors`` errors."""
        out = verdicts(self.test, k, n, self.p0, self.p1, self.confidence)
        out[(out == BAD) & (np.asarray(k) < self.min_errors)] = UNDECIDED
        return out

    def note(self, k: int, n: int) -> str:
        """The numbers behind a verdict on ``k`` errors in ``n`` results."""
        return describe(self.test, int(k), float(n), self.p0, self.p1, self.confidence)
