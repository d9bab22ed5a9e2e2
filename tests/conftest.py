import os

# Tests never open windows and never pick up a GPU by accident.
os.environ.setdefault("MPLBACKEND", "Agg")
