#!/usr/bin/python3
"""Distil the fast student from the VibeNet teacher: features -> labels -> training -> export -> report.

    /usr/bin/python3 model/build_corpus.py        # once: the audio corpus and its manifest
    /usr/bin/python3 model/train_student.py       # everything else, resumable at every step

Steps (each cached under model/cache, so an interrupted run continues where it stopped):
 1. features: our C++ front end (decoder + resampler + log-mel, exactly as `vibectl dump-mel`) on
              every corpus item, through model/tools/dump_mels.cpp (built here from --build-dir).
 2. labels:   the teacher TorchScript (model/generated/vibenet.pt) on each item's whole feature matrix.
 3. training: MSE against the teacher (15 s excerpts first, then whole 30 s clips), fixed seeds,
              a checkpoint every epoch.
 4. export:   TorchScript for Debian's libtorch -> model/student.pt (same contract as the teacher).
 5. report:   agreement with the teacher on the held-out test split (whole clips) and speed on one
              core -> model/student.json and docs/model-card.md (generated from the same numbers).
Use Debian's interpreter (/usr/bin/python3): python3-torch lives there.
"""
from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import os
import random
import sys
import time
from pathlib import Path

# OpenMP threads that spin while waiting for each other burn the CPU the other thread needs when the
# machine is busy: with the default policy, training here ran ten times slower. Set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "model"))

from student import card, tagging  # noqa: E402
from student.data import (CorpusItem, build_dump_tool, dump_features,  # noqa: E402
                          items_sharing_audio_across_splits, label_crops_with_teacher, label_mixes_with_teacher,
                          label_with_teacher, Window,
                          load_features, read_manifest, sha256_of)
from student.collections import write_manifest as write_collections_manifest  # noqa: E402
from student.metrics import agreement, targets_met  # noqa: E402
from student.network import (ATTRIBUTES, MUSICNN_PENULTIMATE, MUSICNN_TAGS, SIGMOID_MASK,  # noqa: E402
                             Student, TaggingStudent, logits_to_attributes)

SEED = 20251121
WIDTHS = (32, 64, 128, 256)
# Teacher logits beyond these bounds make no visible difference to the attribute (the sigmoid is
# saturated, or the value is clipped), so the student is not asked to reproduce them exactly.
SIGMOID_LOGIT_BOUND = 8.0
CLIP_LOGIT_BOUNDS = (-0.3, 1.3)
LOGIT_LOSS_WEIGHT = 0.05
# Most epochs train on 15 s excerpts (half the cost of whole clips, and four different views of
# each clip), each with the teacher's label for that very excerpt; the last epochs train on whole
# clips exactly as the teacher saw them.
EXCERPT_FRAMES = 750
# The front end vibed gives the student (core/analysis/front_end.hpp), written into its sidecar.
# "fast-decoders": every sample, as VibeNet, but Ogg Vorbis and Opus decoded by FFmpeg (2-3x
# faster than libsndfile; the same attributes to the sixth decimal on 40 Opus clips,
# docs/performance.md 1). The teacher keeps "vibenet" (no sidecar) for parity. "excerpts"
# (6 x 15 s of tracks over 135 s) is 1.8x cheaper on whole songs but agreed less with the
# teacher on whole songs (model/whole_song_agreement.py, docs/performance.md 1c).
FRONT_END = "fast-decoders"
CROPS_PER_ITEM = 4
# The student fits its training clips far better than unseen ones (CCC about 0.98 against 0.93
# for the previous recipe), so it also learns from excerpts mixed with an excerpt of another
# training clip 3-24 dB quieter (student.data.mix_log_mel), each labelled by the teacher: two per
# clip, drawn half of the time.
MIXES_PER_ITEM = 2
MIX_GAIN_DB = (-24.0, -3.0)
MIX_SHARE = 0.5
EXCERPT_EPOCH_FRACTION = 0.8
# With MusiCNN as a second teacher: weight of its loss (variance-weighted squared error of its 250
# outputs, model/student/tagging.py) against VibeNet's.
MUSICNN_LOSS_WEIGHT = 1.0


def parse_args() -> argparse.Namespace:
    cache = REPO / "model" / "cache"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, default=cache / "corpus" / "manifest.tsv")
    parser.add_argument("--build-dir", type=Path, default=REPO / "build",
                        help="CMake build directory to build the feature dumper in (configured if new)")
    parser.add_argument("--teacher", type=Path, default=REPO / "model" / "generated" / "vibenet.pt")
    parser.add_argument("--cache", type=Path, default=cache)
    parser.add_argument("--output", type=Path, default=REPO / "model" / "student.pt")
    parser.add_argument("--model-card", type=Path, default=REPO / "docs" / "model-card.md")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--export-best-so-far", action="store_true",
                        help="skip the remaining epochs: export and evaluate the best checkpoint so far")
    parser.add_argument("--collections", type=Path, metavar="CORPUS",
                        help="train on the clips of the three collections in CORPUS (e.g. ../shared/corpus) "
                             "instead of --manifest, split by artist (model/student/collections.py)")
    parser.add_argument("--crops-per-item", type=int, default=CROPS_PER_ITEM,
                        help="teacher-labelled excerpts per training clip (fewer: cheaper labelling)")
    parser.add_argument("--mixes-per-item", type=int, default=MIXES_PER_ITEM,
                        help="teacher-labelled mixed excerpts per training clip (0: none)")
    parser.add_argument("--excerpt-epoch-fraction", type=float, default=EXCERPT_EPOCH_FRACTION,
                        help="share of the epochs that train on excerpts (0: whole clips only)")
    parser.add_argument("--musicnn-cache", type=Path,
                        help="also distil MusiCNN-MSD: its per-clip outputs from model/musicnn_outputs.py "
                             "(e.g. model/cache/musicnn); the student gets a second head (TaggingStudent)")
    parser.add_argument("--stop-after", choices=["features", "labels", "training"],
                        help="stop after this step (e.g. to label while another job trains)")
    return parser.parse_args()


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


# ---------------------------------------------------------------- training

MUSICNN_OUTPUTS = MUSICNN_TAGS + MUSICNN_PENULTIMATE


class Targets:
    """Teacher logits clamped to the range that matters, and the attributes they stand for; with a
    second teacher, MusiCNN's outputs (items, 250) and a mask of the items that have them."""

    def __init__(self, logits: np.ndarray, musicnn: list[np.ndarray | None] | None = None) -> None:
        sigmoid = torch.tensor(SIGMOID_MASK)
        raw = torch.from_numpy(np.asarray(logits, dtype=np.float32))
        clamped_sigmoid = raw.clamp(-SIGMOID_LOGIT_BOUND, SIGMOID_LOGIT_BOUND)
        clamped_clip = raw.clamp(*CLIP_LOGIT_BOUNDS)
        self.logits = torch.where(sigmoid, clamped_sigmoid, clamped_clip)
        self.attributes = logits_to_attributes(raw)
        musicnn = musicnn if musicnn is not None else [None] * len(raw)
        self.musicnn_mask = torch.tensor([m is not None for m in musicnn], dtype=torch.float32)
        self.musicnn = torch.from_numpy(np.array([m if m is not None else np.zeros(MUSICNN_OUTPUTS)
                                                  for m in musicnn], dtype=np.float32).reshape(-1, MUSICNN_OUTPUTS))


def attribute_weights(whole_clip_targets: Targets) -> torch.Tensor:
    """Concordance is relative to each attribute's spread: weight squared errors by 1/variance so
    an attribute the teacher rarely moves (liveness) counts as much as one it moves a lot."""
    return 1.0 / whole_clip_targets.attributes.var(dim=0).clamp_min(1e-4)


def loss_fn(student_logits: torch.Tensor, target_logits: torch.Tensor, target_attributes: torch.Tensor,
            weights: torch.Tensor) -> torch.Tensor:
    """Loss on VibeNet's attributes (the first teacher)."""
    attributes = logits_to_attributes_soft(student_logits)
    attribute_loss = ((attributes - target_attributes) ** 2 * weights).mean()
    logit_loss = ((student_logits - target_logits) ** 2).mean()
    return attribute_loss + LOGIT_LOSS_WEIGHT * logit_loss


def logits_to_attributes_soft(logits: torch.Tensor) -> torch.Tensor:
    """As logits_to_attributes, but the clip lets gradients through (straight-through) so a student
    value outside [0, 1] is still pulled back towards the teacher's."""
    clipped = logits.clamp(0.0, 1.0)
    straight_through = logits + (clipped - logits).detach()
    mask = torch.tensor(SIGMOID_MASK)
    return torch.where(mask, torch.sigmoid(logits), straight_through)


def whole_clip_batches(features: list[np.ndarray], targets: Targets, order: np.ndarray, batch_size: int):
    """Whole clips; a batch is cut to its shortest clip (clips differ by a few frames at most)."""
    for start in range(0, len(order), batch_size):
        index = order[start:start + batch_size]
        frames = min(features[i].shape[1] for i in index)
        mel = np.stack([features[i][:, :frames] for i in index]).astype(np.float32)
        yield (torch.from_numpy(mel), targets.logits[index], targets.attributes[index], targets.musicnn[index],
               targets.musicnn_mask[index])


Examples = tuple[list[Window], Targets]     # teacher-labelled excerpts of one clip


def labelled_examples(pairs: list[tuple[Window, np.ndarray]], musicnn=lambda window: None) -> Examples:
    """musicnn(window): MusiCNN's target for the window, or None (no second teacher, or a mix)."""
    return [w for w, _ in pairs], Targets(np.stack([l for _, l in pairs]) if pairs else np.zeros((0, 7)),
                                          [musicnn(w) for w, _ in pairs])


def excerpt_batches(source, examples: list[tuple[Examples, Examples]], order: np.ndarray, batch_size: int,
                    rng: np.random.Generator):
    """One teacher-labelled excerpt per clip: a plain excerpt of the clip or, MIX_SHARE of the time,
    one mixed with another clip. `source` maps an item id to its features. Clips too short for an
    excerpt sit these epochs out."""
    order = np.array([i for i in order if examples[i][0][0]])
    for start in range(0, len(order), batch_size):
        mel, logits, attributes, musicnn, mask = [], [], [], [], []
        for i in order[start:start + batch_size]:
            crops, mixes = examples[i]
            windows, targets = mixes if mixes[0] and rng.random() < MIX_SHARE else crops
            k = int(rng.integers(len(windows)))
            mel.append(windows[k].log_mel(source))
            logits.append(targets.logits[k])
            attributes.append(targets.attributes[k])
            musicnn.append(targets.musicnn[k])
            mask.append(targets.musicnn_mask[k])
        yield (torch.from_numpy(np.stack(mel)), torch.stack(logits), torch.stack(attributes), torch.stack(musicnn),
               torch.stack(mask))


def predict(model: torch.nn.Module, features: list[np.ndarray]) -> np.ndarray:
    """Logits for whole clips, one at a time (any length), in eval mode."""
    model.eval()
    with torch.inference_mode():
        return np.stack([model(torch.from_numpy(f.astype(np.float32)).unsqueeze(0))[0].numpy() for f in features])


def validation_score(model: torch.nn.Module, features: list[np.ndarray], teacher_logits: np.ndarray) -> dict:
    student = logits_to_attributes(torch.from_numpy(predict(model, features))).numpy()
    teacher = logits_to_attributes(torch.from_numpy(teacher_logits)).numpy()
    report = agreement(student, teacher)
    score = float(np.mean([report[a]["ccc"] for a in ATTRIBUTES if a != "speechiness"])
                  - report["speechiness"]["mae"])
    return {"score": score, "report": report}


def train(args: argparse.Namespace, train_set: tuple, val_set: tuple,
          checkpoint_dir: Path, musicnn_target=None) -> tuple[Student, list[dict]]:
    """Returns the epoch with the best validation score, and every epoch's numbers.

    musicnn_target(item_id, offset, frames): MusiCNN's outputs for that window of the item (frames
    None: the whole clip), or None; given, the student is a TaggingStudent that learns them too."""
    seed_everything(SEED)
    torch.set_num_threads(args.threads)
    train_ids, train_features, train_logits, train_crops, train_mixes = train_set
    val_features, val_logits = val_set
    whole_musicnn = [musicnn_target(i, 0, None) for i in train_ids] if musicnn_target else None
    targets = Targets(train_logits, whole_musicnn)
    weights = attribute_weights(targets)
    musicnn_weights = tagging.weights(targets.musicnn[targets.musicnn_mask > 0].numpy()) if musicnn_target else None

    def crop_target(window: Window):                  # mixes (window.mix_id) have no MusiCNN label
        if musicnn_target is None or window.mix_id is not None:
            return None
        return musicnn_target(window.item_id, window.offset, window.frames)
    examples = [(labelled_examples(crops, crop_target), labelled_examples(mixes))
                for crops, mixes in zip(train_crops, train_mixes)]
    index_of = {item_id: k for k, item_id in enumerate(train_ids)}

    def source(item_id: str) -> np.ndarray:
        return train_features[index_of[item_id]]
    model = TaggingStudent(WIDTHS) if musicnn_target else Student(WIDTHS)
    steps_per_epoch = (len(train_features) + args.batch_size - 1) // args.batch_size
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.learning_rate,
                                                   total_steps=args.epochs * steps_per_epoch, pct_start=0.15)
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    last, best = checkpoint_dir / "last.pt", checkpoint_dir / "best.pt"
    config = {"widths": WIDTHS, "epochs": args.epochs, "batch_size": args.batch_size,
              "learning_rate": args.learning_rate, "train_items": len(train_features), "seed": SEED,
              "crops_per_item": args.crops_per_item, "excerpt_frames": EXCERPT_FRAMES,
              "mixes_per_item": args.mixes_per_item, "excerpt_epoch_fraction": args.excerpt_epoch_fraction, "mix_gain_db": MIX_GAIN_DB, "mix_share": MIX_SHARE,
              **({"musicnn_weight": MUSICNN_LOSS_WEIGHT} if musicnn_target else {})}
    epoch, best_score, history = 0, -float("inf"), []
    if last.exists():
        state = torch.load(last)
        if state["config"] == config:
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            schedule.load_state_dict(state["schedule"])
            epoch, best_score, history = state["epoch"], state["best_score"], state["history"]
            print(f"train: resuming after epoch {epoch}", file=sys.stderr)
        else:
            print("train: checkpoint is from another configuration; starting afresh", file=sys.stderr)

    while epoch < args.epochs and not args.export_best_so_far:
        rng = np.random.default_rng(SEED + epoch)     # the epoch's shuffle and crops, also on resume
        torch.manual_seed(SEED + epoch)
        model.train()
        started, total = time.time(), 0.0
        order = rng.permutation(len(train_features))
        if epoch < int(args.excerpt_epoch_fraction * args.epochs):
            epoch_batches = excerpt_batches(source, examples, order, args.batch_size, rng)
        else:
            epoch_batches = whole_clip_batches(train_features, targets, order, args.batch_size)
        for mel, target_logits, target_attributes, target_musicnn, musicnn_mask in epoch_batches:
            if musicnn_target:
                student_logits, raw_musicnn = model.outputs(mel)
                loss = (loss_fn(student_logits, target_logits, target_attributes, weights)
                        + MUSICNN_LOSS_WEIGHT * tagging.loss(raw_musicnn, target_musicnn, musicnn_mask, musicnn_weights))
            else:
                loss = loss_fn(model(mel), target_logits, target_attributes, weights)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(mel)
        epoch += 1
        validation = validation_score(model, val_features, val_logits)
        history.append({"epoch": epoch, "train_loss": round(total / len(train_features), 5),
                        "val_score": round(validation["score"], 4), "seconds": round(time.time() - started)})
        print(f"train: epoch {epoch}/{args.epochs} loss {history[-1]['train_loss']:.4f} "
              f"val {validation['score']:.4f} " + " ".join(f"{a[:5]}={r['ccc']:.3f}"
                                                          for a, r in validation["report"].items())
              + f" speech_mae={validation['report']['speechiness']['mae']:.3f} ({history[-1]['seconds']} s)",
              file=sys.stderr, flush=True)
        if validation["score"] > best_score:
            best_score = validation["score"]
            torch.save({"model": model.state_dict(), "epoch": epoch, "validation": validation}, best)
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "schedule": schedule.state_dict(), "epoch": epoch, "best_score": best_score,
                    "history": history, "config": config}, last)

    model.load_state_dict(torch.load(best)["model"])
    return model.eval(), history


# ---------------------------------------------------------------- export and report

@contextlib.contextmanager
def sources_named_relative_to_repo(network: type):
    """TorchScript records each method's source file in the export's debug information: named
    relative to the repository (and compiled from there), the file is byte-identical wherever the
    repository is checked out."""
    methods = {name: f for name, f in vars(network).items() if inspect.isfunction(f)}
    previous_directory = os.getcwd()
    os.chdir(REPO)
    try:
        for f in methods.values():
            f.__code__ = f.__code__.replace(co_filename=os.path.relpath(f.__code__.co_filename, REPO))
        yield
    finally:
        for name, f in methods.items():
            f.__code__ = f.__code__.replace(co_filename=str(REPO / f.__code__.co_filename))
        os.chdir(previous_directory)


def export(model: Student, output: Path) -> torch.jit.ScriptModule:
    """Scripted (any T, any batch), frozen (batch norm folded into the convolutions) TorchScript
    with two methods: forward (the logits, the teacher's contract) and analyse (logits and the
    embedding, network.Student.analyse). model/export_student.py re-exports the committed weights."""
    with sources_named_relative_to_repo(type(model)):
        methods = ["analyse", "hear"] if isinstance(model, TaggingStudent) else ["analyse"]
        scripted = torch.jit.freeze(torch.jit.script(model.eval()), preserved_attrs=methods)
    output.parent.mkdir(parents=True, exist_ok=True)
    scripted.save(str(output))
    return torch.jit.load(str(output)).eval()


def prepared_as_vibed_does(model: torch.jit.ScriptModule) -> torch.jit.ScriptModule:
    """What vibed's model loader (core/model/) does after loading: freeze (a no-op for the already
    frozen student) and optimise for inference. Timing the plain module would flatter the student:
    Debian's LibTorch runs the plain teacher about four times slower."""
    return torch.jit.optimize_for_inference(torch.jit.freeze(model.eval()))


def cpu_milliseconds_per_30s(model: torch.jit.ScriptModule, repeats: int = 30) -> float:
    """Median CPU time of one inference on a 30-second input (1500 frames) with one thread.

    CPU time rather than wall time: on a shared machine the wall clock measures the other jobs."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    mel = torch.randn(1, 128, 1500) * 15 - 20
    timings = []
    with torch.inference_mode():
        for _ in range(5):
            model(mel)
        for _ in range(repeats):
            start = time.process_time()
            model(mel)
            timings.append(time.process_time() - start)
    torch.set_num_threads(threads)
    return round(float(np.median(timings)) * 1000, 2)


def musicnn_targets_by_item(items: list[CorpusItem], cache: Path):
    """musicnn_target(item_id, offset, frames) for train(), from model/musicnn_outputs.py's cache."""
    source_of = {i.id: i.sources[0] for i in items}
    teacher = tagging.MusicnnTargets(cache)
    return lambda item_id, offset, frames: teacher.target(source_of[item_id], offset, frames)


def second_teacher_report(exported, test_items, test_features, student_attributes, teacher_attributes,
                          musicnn_target) -> dict:
    """Agreement with MusiCNN on the test clips (whole clips), and, on the same clips, the committed
    student's agreement with VibeNet: a new student must keep it."""
    from student.tagging import agreement as musicnn_agreement
    sys.path.insert(0, str(REPO / "model"))
    from musicnn_network import MSD_LABELS

    with torch.inference_mode():
        heard = [exported.hear(torch.from_numpy(f.astype(np.float32)).unsqueeze(0)) for f in test_features]
    predicted = np.stack([np.concatenate([tags[0].numpy(), penultimate[0].numpy()]) for _, tags, penultimate, _ in heard])
    targets = [musicnn_target(i.id, 0, None) for i in test_items]
    have = np.array([t is not None for t in targets])
    report = {"musicnn_agreement": musicnn_agreement(predicted[have], np.stack([t for t in targets if t is not None]),
                                                     MSD_LABELS),
              "musicnn_test_items": int(have.sum())}
    report["cpu_ms_per_4min_one_thread"] = cpu_milliseconds_per_4_minutes(exported)
    committed = REPO / "model" / "student.pt"
    if committed.exists():
        baseline = prepared_as_vibed_does(torch.jit.load(str(committed)))
        baseline_attributes = logits_to_attributes(torch.from_numpy(predict(baseline, test_features))).numpy()
        report["committed_student_agreement_same_test_items"] = agreement(baseline_attributes, teacher_attributes)
    print(json.dumps(report, indent=1), file=sys.stderr)
    return report


def cpu_milliseconds_per_4_minutes(student: torch.jit.ScriptModule, repeats: int = 5) -> dict[str, float]:
    """Median CPU time, one thread, of the student's hear() on a 4-minute input (12000 frames), and
    of the imported MusiCNN (model/generated/musicnn.pt, if present) on the 80 patches of 3 s that
    cover 4 minutes: the models alone, both prepared as vibed prepares models."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)

    def median_ms(run) -> float:
        run()
        timings = []
        for _ in range(repeats):
            start = time.process_time()
            run()
            timings.append(time.process_time() - start)
        return round(float(np.median(timings)) * 1000, 1)
    prepared = torch.jit.optimize_for_inference(torch.jit.freeze(student.eval(), preserved_attrs=["hear"]),
                                                other_methods=["hear"])
    mel = torch.randn(1, 128, 12000) * 15 - 20
    with torch.inference_mode():
        result = {"student_hear": median_ms(lambda: prepared.hear(mel))}
        musicnn_file = REPO / "model" / "generated" / "musicnn.pt"
        if musicnn_file.exists():
            musicnn = prepared_as_vibed_does(torch.jit.load(str(musicnn_file)))
            patches = torch.rand(80, 96, 187) * 10
            result["musicnn_80_patches"] = median_ms(lambda: musicnn(patches))
    torch.set_num_threads(threads)
    return result


def main() -> None:
    args = parse_args()
    if args.collections:
        args.manifest = args.cache / "collections-manifest.tsv"
        write_collections_manifest(args.collections, args.manifest)
    items = read_manifest(args.manifest)
    feature_dir = args.cache / "features"
    dump_tool = build_dump_tool(args.build_dir)
    errors = dump_features(items, dump_tool, feature_dir, args.threads)
    failed = {e.split(":", 1)[0] for e in errors}
    items = [i for i in items if i.id not in failed]
    if args.stop_after == "features":
        return

    teacher_sha = sha256_of(args.teacher)
    labels = label_with_teacher(items, feature_dir, args.teacher,
                                args.cache / f"labels-{teacher_sha[:16]}.npz", args.threads)

    def split(name: str, dtype: np.dtype, leave_out: frozenset[str] = frozenset()
              ) -> tuple[list[CorpusItem], list[np.ndarray], np.ndarray]:
        chosen = [i for i in items if i.split == name and i.id not in leave_out]
        return chosen, load_features(chosen, feature_dir, dtype), np.stack([labels[i.id] for i in chosen])

    train_items, train_features, train_logits = split("train", np.float16)   # half the memory; ample precision
    crops = label_crops_with_teacher(train_items, feature_dir, args.teacher,
                                     args.cache / f"crop-labels-{teacher_sha[:16]}-{EXCERPT_FRAMES}.npz",
                                     args.threads, EXCERPT_FRAMES, args.crops_per_item)
    train_crops = [crops.get(i.id, []) for i in train_items]
    mixes = label_mixes_with_teacher(train_items, feature_dir, args.teacher,
                                     args.cache / f"mix-labels-{teacher_sha[:16]}-{EXCERPT_FRAMES}.npz",
                                     args.threads, EXCERPT_FRAMES, args.mixes_per_item, MIX_GAIN_DB, SEED)
    train_mixes = [mixes.get(i.id, []) for i in train_items]
    if args.stop_after == "labels":
        return
    _, val_features, val_logits = split("val", np.float32)
    musicnn_target = musicnn_targets_by_item(items, args.musicnn_cache) if args.musicnn_cache else None
    model, history = train(args, ([i.id for i in train_items], train_features, train_logits, train_crops, train_mixes),
                           (val_features, val_logits),
                           args.cache / "checkpoints", musicnn_target)
    if args.stop_after == "training":
        return
    del train_features

    exported = export(model, args.output)
    twins = frozenset(items_sharing_audio_across_splits(items, args.cache / "unpacked", "test"))
    test_items, test_features, test_logits = split("test", np.float32, leave_out=twins)
    student = logits_to_attributes(torch.from_numpy(predict(exported, test_features))).numpy()
    teacher = logits_to_attributes(torch.from_numpy(test_logits)).numpy()
    report = agreement(student, teacher)
    real = np.array([i.kind == "real" for i in test_items])
    real_report = agreement(student[real], teacher[real]) if real.any() else {}
    teacher_model = prepared_as_vibed_does(torch.jit.load(str(args.teacher)))
    summary = {
        **(second_teacher_report(exported, test_items, test_features, student, teacher, musicnn_target)
           if musicnn_target else {}),
        "file": args.output.name,
        "sha256": sha256_of(args.output),
        "size_bytes": args.output.stat().st_size,
        "parameters": sum(p.numel() for p in model.parameters()),
        "architecture": f"Student(widths={WIDTHS}) in model/student/network.py",
        "input": "float32 (batch, 128, frames) log-mel dB from vibed's front end (VibeNet's extract_mel)",
        "output": "float32 (batch, 7) logits: " + ", ".join(ATTRIBUTES),
        "front_end": FRONT_END,
        "teacher": {"file": str(args.teacher.relative_to(REPO)) if args.teacher.is_relative_to(REPO)
                    else str(args.teacher), "sha256": teacher_sha},
        "corpus": {s: sum(1 for i in items if i.split == s) for s in ("train", "val", "test")},
        "corpus_kinds": {k: sum(1 for i in items if i.kind == k) for k in sorted({i.kind for i in items})},
        "test_items_left_out_as_twins_of_training_audio": len(twins),
        "test_kinds": {k: sum(1 for i in test_items if i.kind == k) for k in sorted({i.kind for i in test_items})},
        "training": {"seed": SEED, "epochs": args.epochs, "batch_size": args.batch_size,
                     "excerpt_epochs": int(args.excerpt_epoch_fraction * args.epochs),
                     "excerpts_per_clip": args.crops_per_item,
                     "mixes_per_clip": args.mixes_per_item, "mix_gain_db": list(MIX_GAIN_DB), "mix_share": MIX_SHARE,
                     "excerpt_seconds": EXCERPT_FRAMES * 320 / 16000,
                     "learning_rate": args.learning_rate, "best_epoch": int(np.argmax(
                         [h["val_score"] for h in history])) + 1, "history": history},
        "test_agreement": report,
        "targets_met": targets_met(report),
        "test_agreement_real_clips_only": real_report,
        "cpu_ms_per_30s_one_thread": {"student": cpu_milliseconds_per_30s(prepared_as_vibed_does(exported)),
                                      "teacher": cpu_milliseconds_per_30s(teacher_model, repeats=5)},
    }
    (args.output.with_suffix(".json")).write_text(json.dumps(summary, indent=2) + "\n")
    card.write(summary, args.model_card)
    print(json.dumps({"test_agreement": report, "targets_met": summary["targets_met"],
                      "speed": summary["cpu_ms_per_30s_one_thread"]}, indent=2))


if __name__ == "__main__":
    main()
