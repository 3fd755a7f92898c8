"""Every speed figure of the README from one run: the dense network and the CNN, simnet beside
plain numpy and PyTorch (when installed), with the date, the cores and the thread settings.

    python benchmarks/report.py                 # full data sets: about 6 minutes on 2 cores
    python benchmarks/report.py --quick         # 10,000 images, 2 repeats: a minute
    python benchmarks/report.py --threads 1     # one BLAS and one torch thread for everyone

It runs ``dense_epoch.py`` (one epoch of 784-128-10 at batch 1, 32 and 128, the variants
alternating epoch by epoch) and then ``cnn_epoch.py`` (one epoch of the larger CNN, the
implementations alternating batch by batch, then simnet's per-layer table), in this process.
"""
import argparse
import datetime
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="10,000 images and 2 repeats instead of the full runs")
    p.add_argument("--threads", type=int, help="BLAS and torch threads (default: the libraries' own)")
    p.add_argument("--no-torch", action="store_true", help="do not time PyTorch even when it is installed")
    args = p.parse_args()
    if args.threads:  # before numpy (and torch) are imported
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    sys.path.insert(0, HERE)
    import cnn_epoch
    import dense_epoch
    import numpy as np

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " load average {:.2f} {:.2f} {:.2f};".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    torch = None if args.no_torch else dense_epoch.torch_version()
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"# simnet benchmarks, {when}\n\n{cores} cores;{load} numpy {np.__version__}, "
          f"BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}; "
          + (f"PyTorch {torch}" if torch else "PyTorch not timed"))
    if torch and args.threads:
        import torch as t

        t.set_num_threads(args.threads)
    print("\n## 784-128-10 on Fashion-MNIST, one epoch (benchmarks/dense_epoch.py)\n", flush=True)
    dense = ["--repeats", "2" if args.quick else "5"] + (["--samples", "10000"] if args.quick else [])
    dense_epoch.main(dense + (["--no-torch"] if args.no_torch else []))
    print("\n## The larger CNN, one epoch (benchmarks/cnn_epoch.py)\n", flush=True)
    cnn = ["--images", "10000"] if args.quick else []
    cnn += (["--threads", str(args.threads)] if args.threads else []) + (["--no-torch"] if args.no_torch else [])
    cnn_epoch.main(cnn_epoch.parse_args(cnn))


if __name__ == "__main__":
    main()
