"""What every report page shares: loading a run's files, formatting, figures, tiles,
findings, references, baseline comparisons, sections and the HTML templates."""
