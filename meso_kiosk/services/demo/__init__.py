"""The demo installation: one seeder module per feature, run in order by ``seed.seed_demo``."""
