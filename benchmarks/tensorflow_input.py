"""TensorFlow `fit` on an in-memory array: the in-graph feed against Keras'
`tf.data` pipeline of the same array and against a native loop given ready
tensors, ms per step in one process, alternating.

    KERAS_BACKEND=tensorflow python benchmarks/tensorflow_input.py --case gan_mlp128

Rows: `native` (the `benchmarks/native_loops.py` step over pre-converted
batch tensors), `fit, array` (what a user's `model.fit(x)` runs: the batches
gathered inside the compiled step, `keras_fgan/backend/tensorflow_array_feed.py`),
`fit, Keras pipeline` (the `tf.data` pipeline Keras' array adapter builds for
the same array, shuffled, taken with `IteratorGetNext` in the step). Each
repeat runs every row once over the whole array (one epoch); the first
repeat (tracing) is dropped. Median and minimum wall ms per step, and the
median CPU ms per step (all threads).
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(argv=None):
    import keras
    import tensorflow as tf
    from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter

    import performance
    from native_loops import make_native_step

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="gan_mlp128", choices=list(performance.CASES))
    parser.add_argument("--steps", type=int, default=200, help="batches in the array")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    if keras.backend.backend() != "tensorflow":
        parser.error("run with KERAS_BACKEND=tensorflow")

    model = performance.build_model(args.case)
    batch_size = performance.CASES[args.case][2]
    x = performance.training_data(args.case, batch_size * args.steps)
    model.generate(2, seed=0)
    model.compile()
    step, sync = make_native_step(performance.native_spec(model, args.case))
    batches = [tf.convert_to_tensor(x[i * batch_size : (i + 1) * batch_size]) for i in range(args.steps)]

    def native():
        for batch in batches:
            out = step(batch)
        sync(out)

    def fit_array():
        model.fit(x, batch_size=batch_size, epochs=1, verbose=0)

    def fit_pipeline():
        dataset = ArrayDataAdapter(x, batch_size=batch_size, shuffle=True).get_tf_dataset()
        model.fit(dataset, epochs=1, verbose=0)

    rows = {"native": native, "fit, array": fit_array, "fit, Keras pipeline": fit_pipeline}
    times = {name: [] for name in rows}
    for repeat in range(args.repeats):
        for name, run in rows.items():
            start, cpu = time.perf_counter(), time.process_time()
            run()
            if repeat:
                times[name].append((1000 * (time.perf_counter() - start) / args.steps,
                                    1000 * (time.process_time() - cpu) / args.steps))
    print(f"{args.case}, batch {batch_size}, {args.steps} steps x {args.repeats - 1} repeats")
    print("| row | wall ms/step median | min | CPU ms/step median |\n|---|---|---|---|")
    for name, values in times.items():
        wall = [w for w, _ in values]
        print(f"| {name} | {statistics.median(wall):.2f} | {min(wall):.2f} | "
              f"{statistics.median(c for _, c in values):.2f} |")


if __name__ == "__main__":
    main()
