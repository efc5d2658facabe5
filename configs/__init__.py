"""fleetsim's Hydra config tree (schemas in :mod:`configs.schema`, YAML groups beside it).

Importing the package registers the schemas in Hydra's ConfigStore, so
``pkg://configs`` is usable as a config path both from a checkout and after
``pip install``.
"""

from configs.schema import register_configs

register_configs()
