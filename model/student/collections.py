"""The three human-labelled collections of ../shared/corpus as unlabelled training audio for the
student: a corpus manifest (model/student/data.py's format) whose splits keep each artist in one
split, so held-out agreement is measured on artists the student never heard."""
from __future__ import annotations

import csv
import hashlib
from pathlib import Path

# collection folder -> its label file (read only for the artist groups: the student needs no labels)
COLLECTIONS = {"music-clips": "music-clips-moods.csv", "mirex-like": "mirex-like-moods.csv",
               "emotify": "emotify-emotions.csv"}
# Share of artist groups per split, by a hash of collection and group: about 15 % test, 10 % validation.
TEST_BUCKETS, VAL_BUCKETS, BUCKETS = 3, 2, 20


def split_of(collection: str, artist_group: str) -> str:
    bucket = int(hashlib.sha256(f"{collection}/{artist_group}".encode()).hexdigest(), 16) % BUCKETS
    return "test" if bucket < TEST_BUCKETS else "val" if bucket < TEST_BUCKETS + VAL_BUCKETS else "train"


def write_manifest(corpus: Path, manifest: Path) -> int:
    """Writes the manifest of every clip listed in the collections' label files; returns the count."""
    rows = []
    for collection, labels in COLLECTIONS.items():
        with (corpus / labels).open(newline="") as f:
            for record in csv.DictReader(f):
                path = corpus / collection / record["file"]
                if path.exists():
                    rows.append({"id": f"{collection}-{path.stem}", "path": str(path),
                                 "split": split_of(collection, record["artist_group"]), "kind": collection,
                                 "sources": f"{collection}/{record['file']}"})
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with manifest.open("w", newline="") as f:
        writer = csv.DictWriter(f, ["id", "path", "split", "kind", "sources"], delimiter="\t")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
