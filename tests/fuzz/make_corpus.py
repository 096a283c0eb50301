#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/) and the config dictionary.

Run from anywhere: python3 tests/fuzz/make_corpus.py. The output is deterministic and committed;
rerun after changing a seed. The first byte of every loader seed selects the target's mode (see the
comment at the top of each fuzz_*.cpp). Everything stays small: libFuzzer's default -max_len is the
largest seed, and the seeds together are well under 100 KB.
"""
import gzip
import pathlib
import shutil
import struct

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
REPO = HERE.parent.parent


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def idx_images(count, rows, cols, fill=0x80):
    return struct.pack(">IIII", 2051, count, rows, cols) + bytes((fill + i) % 256 for i in range(count * rows * cols))


def idx_labels(labels):
    return struct.pack(">II", 2049, len(labels)) + bytes(labels)


def cifar_records(labels):
    return b"".join(bytes([label]) + bytes((label * 7 + i) % 256 for i in range(3072)) for label in labels)


def write(target, name, data):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data if isinstance(data, bytes) else data.encode())


SMALL_CONFIG = """name: seed
dataset:
  kind: fashion-mnist
  path: /usr/share/datasets/fashion-mnist
  validation: 100
  limit: 500
  preprocess: [standardize, bias]
loss: {kind: softmax, margin: 1.0}
regularization: {kind: l2, strength: 1.0e-4}
optimizer: {kind: sgd, learning_rate: 1.0e-2, batch_size: 100, schedule: {kind: constant}}
training: {epochs: 2, seed: 0}
"""


def alias_bomb(levels):
    """A "billion laughs" config: each line's list repeats the previous anchor ten times."""
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\nname: bomb\n"


CONFIGS = {
    "minimal.yaml": "name: minimal\n",
    "empty.yaml": "",
    "small.yaml": SMALL_CONFIG,
    "grid.yaml": SMALL_CONFIG + """sweep:
  grid:
    optimizer.learning_rate: [1.0e-3, 1.0e-2]
    regularization.strength: [1.0e-5, 1.0e-3]
    loss.kind: [svm, softmax]
  seeds: [0, 1]
  max_trials: 100
""",
    "zip.yaml": SMALL_CONFIG + """sweep:
  zip: {loss.kind: [svm, softmax], optimizer.momentum: [0.5, 0.9]}
""",
    "random.yaml": SMALL_CONFIG + """sweep:
  random:
    trials: 5
    seed: 3
    space:
      optimizer.learning_rate: {log_uniform: [1.0e-4, 1.0e-1]}
      regularization.strength: {uniform: [0, 1.0e-2]}
      optimizer.kind: {choice: [sgd, momentum, adam]}
""",
    "synthetic.yaml": """name: synth
dataset:
  kind: synthetic
  synthetic: {shape: spiral, classes: 3, per_class: 50, noise: 0.2, seed: 1}
  test: 0.2
loss: {kind: svm}
regularization: {kind: elastic_net, strength: 1.0e-3, beta: 0.5, regularize_bias: true}
optimizer: {kind: adam, learning_rate: 1.0e-2, beta1: 0.9, beta2: 0.999, epsilon: 1.0e-8}
training: {epochs: 3, init_scale: 0.01}
""",
    "overrides.yaml": SMALL_CONFIG + """#set optimizer.learning_rate=0.03
#set sweep.grid.loss.kind=[svm,softmax]
#set training.epochs=3
""",
    "anchors.yaml": """name: &n anchors
loss: &l {kind: squared_hinge}
optimizer:
  kind: nesterov
  schedule: {kind: step, gamma: 0.5, step_epochs: 2}
sweep:
  grid:
    optimizer.learning_rate: [!!float 1e-3, 0x10, .inf]
""",
    # YAML's own features, so the fuzzer starts from each: anchors and aliases, merge keys, tags,
    # flow and block collections, explicit keys, block scalars, directives.
    "yaml-merge-key.yaml": """base: &base {kind: softmax, margin: 1.0}
loss:
  <<: *base
  kind: svm
dataset: {kind: synthetic}
""",
    "yaml-tags-and-styles.yaml": """%YAML 1.2
---
name: !!str tagged
dataset: !!map {kind: !custom synthetic, synthetic: {classes: !!int 3}}
optimizer:
  ? learning_rate
  : !!float 0.5
training: {epochs: 2}
sweep:
  grid:
    optimizer.learning_rate:
      - 1.0e-3
      - &r 1.0e-2
    regularization.strength: [*r, 0.1]
notes: |
  a block scalar
  over two lines
more: >
  folded
...
""",
    # Billion laughs: the bomb (10^8 nodes), a smaller one that fits within the node
    # limit, one that crosses it at its last line, an alias inside its own anchor, and nesting
    # past the depth limit, plain and through an alias.
    "yaml-alias-bomb.yaml": alias_bomb(8),
    "yaml-alias-bomb-fits.yaml": alias_bomb(4),
    "yaml-alias-bomb-crosses.yaml": alias_bomb(5),
    "yaml-alias-bomb-override.yaml": SMALL_CONFIG + "#set sweep.grid.optimizer.learning_rate=[&p [1,1,1,1,1,1,1,1,1,"
                                     "1],&q [*p,*p,*p,*p,*p,*p,*p,*p,*p,*p],&r [*q,*q,*q,*q,*q,*q,*q,*q,*q,*q],"
                                     "&s [*r,*r,*r,*r,*r,*r,*r,*r,*r,*r],[*s,*s,*s,*s,*s,*s,*s,*s,*s,*s]]\n",
    "yaml-recursive-alias.yaml": "a: &a [1, *a]\nname: loop\n",
    "yaml-deep-nesting.yaml": "a: " + "[" * 80 + "]" * 80 + "\n",
    "yaml-deep-through-alias.yaml": "a: &d " + "[" * 40 + "]" * 40 + "\nb: " + "{k: " * 30 + "*d" + "}" * 30 + "\n",
    # Regressions: yaml-cpp's LoadAll looped forever, allocating, on a document starting with ','.
    "regression-stray-comma.yaml": ",\n",
    "regression-stray-comma-override.yaml": SMALL_CONFIG + "#set sweep.grid.loss.kd[nmvis=,softmax]\n",
    "errors.yaml": """name: ""
dataset: {kind: csv, path: missing.csv, validation: 1.5}
loss: {kind: sv}
optimizer: {learning_rat: 0.1, batch_size: -1}
training: {epochs: 0}
sweep: {grid: {dataset.limit: []}, max_trials: 0}
""",
}


# Inputs the CI fuzz smoke run found (commit db70691: gzip trailers claiming 3-4 GB made
# read_file_bytes allocate that much), kept as seeds so every smoke run replays them.
FOUND = {
    ("fuzz_cifar", "gzip-trailer-claims-3gb"): bytes.fromhex(
        "001f8b0800000000000203636060646266616563e7e0e4e2e6e1e5e317101412161115139701616972706c616e909492"
        "9691959357505452650a6175746f6d6f62696c650a626972640a6361740a646565720a646f670a66726f670a56515553"
        "d7d0d4d2d6d1d5d33730343236313533b7b0b4b28d8b4f484c4a4e494d4bcfc8cccacec9cdcb2f282c2a2e292d2bafa8"
        "acaaaea9adab6f686c6a6e696d6befe8eceaeee9edeb9f3071d2e42953a74d9f3173d6ec3973e7cd5fb070d1e2254b97"
        "2d5fb172d5ea356bd7addfb071d3e62d5bb76ddfb173d7ee3d7bf7ed3f70f0d0e123478f1d3f71f2d4e93367cf9dbf70"
        "f1d2e52b57af5dbf71f3d6ed3b77efdd686f7273657ff0f00a736869700a747275636b0ad1e3274f9f3d7ff1f2d5eb7a"
        "376fdfbdfff0f1d3e52f5fbf7dfff1f3d7"
    ),
    ("fuzz_csv", "gzip-trailer-claims-4gb"): bytes.fromhex(
        "031f8b0800000000000203cb494c4acda949ac49aa49e632ac31a931ad31e632ac31a931ad31e3020047bf034a1bffff"
        "fb"
    ),
    ("fuzz_idx", "gzip-trailer-claims-3gb"): bytes.fromhex(
        "011f8b08000000000002036360e060646060606666660700bd"
    ),
}


def main():
    if CORPUS.exists():
        shutil.rmtree(CORPUS)

    for name, text in CONFIGS.items():
        write("fuzz_config", name, text)
    for path in sorted((REPO / "configs").glob("*.yaml")):
        write("fuzz_config", "configs-" + path.name, path.read_bytes())

    # fuzz_idx: 0 images, 1 labels, 2 directory (train images), 3 directory (train labels).
    write("fuzz_idx", "images", b"\x00" + idx_images(3, 2, 3))
    write("fuzz_idx", "images-gz", b"\x00" + gz(idx_images(2, 4, 4)))
    write("fuzz_idx", "labels", b"\x01" + idx_labels([0, 1, 9, 5]))
    write("fuzz_idx", "labels-gz", b"\x01" + gz(idx_labels([3, 3, 7])))
    write("fuzz_idx", "dir-images", b"\x02" + idx_images(4, 2, 2))
    write("fuzz_idx", "dir-labels", b"\x03" + idx_labels([9, 8, 7, 6]))
    write("fuzz_idx", "wrong-magic", b"\x00" + idx_labels([1, 2]))

    # fuzz_cifar: 0 one batch, 1 batches.meta.txt, 2 test_batch.bin, 3 data_batch_3.bin.
    write("fuzz_cifar", "batch", b"\x00" + cifar_records([3]))
    write("fuzz_cifar", "batch-gz", b"\x00" + gz(cifar_records([0, 9])))
    write("fuzz_cifar", "meta", b"\x01" + b"airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n")
    write("fuzz_cifar", "test-batch", b"\x02" + cifar_records([5]))
    write("fuzz_cifar", "train-batch-gz", b"\x03" + gz(cifar_records([1, 2])))

    # fuzz_csv: bits 0-1 delimiter (, ; tab |), bit 2 label column ("label" / "class", without a
    # header "0" / "last"), bit 3 a training and a test file for load_csv_pair, cut at the first
    # 0x1E byte, bit 4 no header row.
    write("fuzz_csv", "ints", b"\x00" + b"x1,x2,label\n0.5,1,0\n-2e-3,3.25,2\n1,1,1\n")
    write("fuzz_csv", "names-semicolon", b"\x01" + b"class;a;b\r\ncat;1;2\r\ndog;3;4\r\n\r\ncat;5;6\r\n")
    write("fuzz_csv", "tabs-class", b"\x06" + b"\xef\xbb\xbfclass\tf\n1\t0.25\n0\t-1\n")
    write("fuzz_csv", "pipe-gz", b"\x03" + gz(b"label|a|b|c\n0|1|2|3\n1|4|5|6\n"))
    write("fuzz_csv", "bad-cell", b"\x00" + b"label,x\n0,nan\n1,1e99\n")
    write("fuzz_csv", "plus-sign", b"\x00" + b"a,b,label\n+1.5,+.5,0\n+-1,++2,1\n")
    write("fuzz_csv", "pair", b"\x08" + b"a,b,label\n1,2,cat\n3,4,dog\n" + b"\x1e" + b"a,b,label\n5,6,bird\n7,8,cat\n")
    write("fuzz_csv", "pair-gz-class", b"\x0c" + gz(b"class,x\n0,1\n2,3\n") + b"\x1e" + b"class,x\n1,0.5\n")
    write("fuzz_csv", "headerless-last-gz", b"\x14" + gz(b"5.1,3.5,setosa\n6.2,3.4,virginica\n"))
    write("fuzz_csv", "headerless-first", b"\x10" + b"1,0.5,2\n0,1,1e3\n")
    write("fuzz_csv", "headerless-pair-widths", b"\x18" + b"0,1,2\n1,3,4\n" + b"\x1e" + b"0,1\n")
    write("fuzz_csv", "pair-other-columns", b"\x08" + b"a,label\n1,0\n" + b"\x1e" + b"label,a\n0,1\n")

    for (target, name), data in FOUND.items():
        write(target, name, data)

    # Dictionary for fuzz_config: every key's parts and every enumerated value.
    tokens = set()
    for line in (REPO / "runner" / "src" / "config_schema.cpp").read_text().splitlines():
        for part in line.split('"')[1::2]:
            if part and all(c.isalnum() or c in "._-" for c in part) and len(part) <= 40 \
                    and not part.endswith(".hpp"):
                tokens.add(part)
    tokens.update(["grid", "zip", "random", "space", "seeds", "uniform", "log_uniform", "choice", ": ", "- ",
                   "{", "}", "[", "]", "&a", "*a", "!!float", "\n  ",
                   # YAML itself: anchors and aliases, merge keys, tags, explicit keys, block
                   # scalars, documents and directives.
                   "&b", "*b", "&a [", "[*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]", "<<: ", "<<: *a", "!!str", "!!int",
                   "!!map", "!!seq", "!!null", "!custom", "? ", "|\n", ">\n", "---\n", "...\n",
                   "%YAML 1.2\n", "~", "null", "'", '"'])
    with open(HERE / "config.dict", "w") as out:
        out.write("# libFuzzer dictionary for fuzz_config, written by make_corpus.py\n")
        for token in sorted(tokens):
            escaped = token.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\x0a")
            out.write(f'"{escaped}"\n')


if __name__ == "__main__":
    main()
