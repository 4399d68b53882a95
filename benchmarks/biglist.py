"""Big, varied reading lists for the site's scale benchmarks and tests.

    python benchmarks/biglist.py OUT_DIR --entries 10000

`make_big_list(root, n)` writes a `readings/` tree of `n` readings that looks
like a real list grown large: titles of varied length and shape (colons,
questions, numbers), ids slugged from them, about n/3 distinct authors (most
readings by 1-6 people, one in fifty by a large team of 20-130), 8 areas of 5
topics each, a few hundred tags, three curated lists of up to 300 readings in
sections, and `added` dates that start with one big import and then trickle
in. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
from pathlib import Path

import yaml

WORDS = (
    "attention model training data scaling gradient network layer token context memory "
    "retrieval inference compute optimizer loss benchmark reasoning agent policy reward "
    "representation embedding transformer convolution recurrent sparse expert parallel "
    "hardware kernel quantization latency throughput evaluation interpretability circuit "
    "language vision speech graph diffusion generative contrastive adversarial robust "
    "federated causal bayesian variational kernel manifold spectral stochastic online "
    "curriculum distillation pruning alignment preference feedback safety privacy fairness "
    "protein molecule weather market planning control search tree game theory"
).split()
SHAPES = (
    "{A} {B} for {C}",
    "On the {A} of {B} {C}",
    "{A} {B}: {C} {D} at scale",
    "Towards {A} {B}",
    "Why {A} {B} works",
    "{A} is all you need",
    "Learning {A} {B} with {C}",
    "A survey of {A} {B}",
    "{A}, {B} and {C}",
    "Scaling {A} to {N} {B}",
    "Can {A} {B} {C}?",
    "The {A} {B} handbook",
    "{A} {B} {C} revisited",
    "Notes on {A}",
    "{A}-{B}: a {C} {D}",
)
KINDS = ["paper"] * 6 + ["post", "post", "video", "course", "book", "talk", "notes", "chapter"]
FIRST = (
    "Ada Alan Grace Claude Yann Geoffrey Fei-Fei Andrej Ilya Noam Ashish Jakob Llion "
    "Aidan Łukasz Illia Oriol Quoc Jeff Sanjay Demis David Richard Andrew Pieter Sergey Chelsea "
    "Percy Christopher Dan Jacob Ming-Wei Kenton Kristina Jared Sam Dario Amanda Jan Paul "
    "Shane Lilian Mira Wojciech Greg John Alec Karthik Diederik Max Durk Yoshua Aaron Ian "
    "Hinrich Daphne Michael Judea Zoubin Radford Bernhard Alexander Ruslan Kyunghyun Tomas Sepp "
    "Jürgen Anima Emma Timnit Margaret Joy Cynthia Shafi Silvio Leslie Barbara Frances Radia"
).split()
LAST = (
    "Lovelace Turing Hopper Shannon LeCun Hinton Li Karpathy Sutskever Olah Shazeer Vaswani "
    "Uszkoreit Jones Gomez Kaiser Polosukhin Vinyals Le Dean Ghemawat Hassabis Silver Sutton "
    "Ng Abbeel Levine Finn Liang Manning Jurafsky Devlin Chang Lee Toutanova Brown Kaplan "
    "McCandlish Amodei Askell Leike Christiano Legg Weng Murati Zaremba Brockman Schulman "
    "Radford Narasimhan Salimans Kingma Welling Bengio Courville Goodfellow Schütze Koller "
    "Jordan Pearl Ghahramani Neal Schölkopf Smola Salakhutdinov Cho Mikolov Hochreiter "
    "Schmidhuber Anandkumar Strubell Gebru Mitchell Buolamwini Dwork Goldwasser Micali "
    "Valiant Liskov Allen Perlman Nakamura García Müller Novák Okafor Haddad Petrov Sato"
).split()
AREAS = ("Foundations", "Language", "Vision", "Learning", "Systems", "Safety", "Science", "Society")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def title(rng: random.Random) -> str:
    words = {k: rng.choice(WORDS) for k in "ABCD"}
    text = rng.choice(SHAPES).format(N=rng.choice(["1B", "100", "10,000", "a trillion"]), **words)
    return text[0].upper() + text[1:]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_big_list(
    root: Path,
    n_entries: int,
    seed: int = 11,
    today: dt.date | None = None,
    *,
    areas: int = len(AREAS),
    topics_per_area: int = 5,
    tiers: tuple[int, ...] = (1, 2, 2, 3, 3, 4),
) -> Path:
    """Write a readings/ tree of `n_entries` readings under `root`; return
    `root`. Fewer areas and topics, or tiers drawn unevenly, make a small list
    that still fills some pages past their bound (for a quick test)."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    topics, leaves = [], []
    for area in AREAS[:areas]:
        children = []
        for c in range(topics_per_area):
            tid = f"{slug(area)}-{c + 1}"
            leaves.append(tid)
            children.append(
                {
                    "id": tid,
                    "title": f"{area}: {rng.choice(WORDS)} {rng.choice(WORDS)}",
                    "description": sentence(rng, 12),
                }
            )
        topics.append({"id": slug(area), "title": area, "description": sentence(rng, 15), "children": children})
    (root / "entries").mkdir(parents=True)
    (root / "lists").mkdir()
    (root / "topics.yaml").write_text(yaml.safe_dump(topics, sort_keys=False, allow_unicode=True), encoding="utf-8")
    people = sorted({f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(max(30, n_entries // 2))})
    tags = sorted({f"{rng.choice(WORDS)}-{rng.choice(WORDS)}" for _ in range(300)})
    imported = today - dt.timedelta(days=400)
    ids: list[str] = []
    taken: set[str] = set()
    for i in range(n_entries):
        name = title(rng)
        eid = slug(name)[:60].strip("-")
        while eid in taken:
            eid = f"{slug(name)[:55].strip('-')}-{rng.randint(2, 99999)}"
        taken.add(eid)
        ids.append(eid)
        kind = rng.choice(KINDS)
        length = f"{rng.randint(10, 120)} min" if kind in ("video", "talk") else f"~{rng.randint(1, 40) * 500:,} words"
        team = rng.randint(20, 130) if rng.random() < 0.02 else rng.randint(1, 6)
        authors = list(dict.fromkeys(rng.choice(people) for _ in range(team)))
        url = (
            f"https://arxiv.org/abs/{rng.randint(1501, 2412)}.{rng.randint(10000, 99999)}"
            if kind == "paper" and rng.random() < 0.6
            else f"https://host{i % 50}.example/r/{i}"
        )
        added = imported if rng.random() < 0.7 else imported + dt.timedelta(days=rng.randint(1, 400))
        data = {
            "title": name,
            "url": url,
            "topic": leaves[rng.randrange(len(leaves))],
            "tier": rng.choice(tiers),
            "kind": kind,
            "length": length,
            "summary": " ".join(sentence(rng, rng.randint(12, 20)) for _ in range(rng.randint(2, 5))),
            "authors": authors,
            "year": rng.randint(1990, today.year),
            "added": added.isoformat(),
            "tags": sorted(set(rng.sample(tags, rng.randint(1, 3)))),
        }
        if i % 5 == 0:
            data["notes"] = [sentence(rng, 10)]
        if i % 7 == 0:
            data["links"] = [{"title": "Code", "url": f"https://code.example/{i}"}]
        (root / "entries" / f"{eid}.yaml").write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
    for n in range(3):
        members = rng.sample(ids, min(300, len(ids)))
        size = max(1, len(members) // 6)
        sections = [
            {"title": f"Part {s + 1}: {rng.choice(WORDS)}", "entries": members[s * size : (s + 1) * size]}
            for s in range(6)
            if members[s * size : (s + 1) * size]
        ]
        body = {
            "title": f"List {n + 1}: {rng.choice(WORDS)} {rng.choice(WORDS)}",
            "source": {"title": "Somewhere", "url": f"https://lists.example/{n}"},
            "description": sentence(rng, 20),
            "sections": sections,
        }
        (root / "lists" / f"list-{n + 1}.yaml").write_text(
            yaml.safe_dump(body, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the readings/ folder to write (must not exist)")
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    make_big_list(args.out, args.entries, args.seed)


if __name__ == "__main__":
    main()
