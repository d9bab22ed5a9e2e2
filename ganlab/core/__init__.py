"""Plumbing every other subpackage uses: devices and seeds, fast mode, scoped torch settings,
bounded histories, atomic files, image encoding, checkpoints and where data lives."""

from ganlab.core.checkpoint import load as load_checkpoint
from ganlab.core.checkpoint import cpu_copy, rng_state, save_atomic, set_rng_state
from ganlab.core.device import get_device, seed_everything
from ganlab.core.encode import encode_png, save_gif, save_png
from ganlab.core.files import (atomic_write, check_output_file, check_writable_dir, remove_stale_temporaries,
                               write_bytes_atomic)
from ganlab.core.history import BoundedList, History, Thinning
from ganlab.core import paths
from ganlab.core.paths import checkpoints_dir, data_dir, repo_root, runs_dir
from ganlab.core.runmode import fast_or, is_fast
from ganlab.core.scope import TrainingDiverged, cudnn_benchmark, num_threads, one_thread, seeded

__all__ = ["load_checkpoint", "cpu_copy", "rng_state", "save_atomic", "set_rng_state", "get_device", "seed_everything",
           "encode_png", "save_gif", "save_png", "atomic_write", "check_output_file", "check_writable_dir", "remove_stale_temporaries",
           "write_bytes_atomic", "BoundedList", "History",
           "Thinning", "checkpoints_dir", "data_dir", "repo_root", "runs_dir", "fast_or", "is_fast",
           "TrainingDiverged", "cudnn_benchmark", "num_threads", "one_thread", "seeded", "paths"]
