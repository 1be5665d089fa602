"""Operational metrics (MTTA, MTTM, MTTR, percentiles, breach rate), computed by the database."""
