"""Tokenizer benchmark, Python side (the Rust `tokenizers` library), and the synthetic large tokenizers it runs on.

usage:
  tokenizers_bench.py make <dir>                          writes big-bytelevel.json (~150k tokens, SmolVLM-style
                                                          pipeline) and big-sentencepiece.json (~250k tokens,
                                                          PaliGemma-style), the sizes of the checkpoints' tokenizers,
                                                          and texts.json (task strings)
  tokenizers_bench.py run <tokenizer.json> <texts.json> <iterations>
                                                          prints one JSON line: load_ms, tokens, encode seconds
"""
import json
import os
import random
import sys
import time

from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "Fixtures", "tokenizers")


def grow(doc, target, seed):
    """Adds merges of random existing pairs (weighted towards short tokens) until the vocabulary has `target`
    entries: a valid BPE with a realistic number of entries and merges."""
    rng = random.Random(seed)
    model = doc["model"]
    vocab = model["vocab"]
    merges = [m if isinstance(m, list) else m.split(" ") for m in model["merges"]]
    tokens = sorted(vocab, key=vocab.get)
    special = {t["content"] for t in doc["added_tokens"]}
    pool = [t for t in tokens if t not in special and not t.startswith("<0x")]
    next_id = max(vocab.values()) + 1
    seen = {tuple(m) for m in merges}
    while len(vocab) < target:
        head = max(300, len(pool) // 4)
        a = pool[rng.randrange(head)] if rng.random() < 0.7 else pool[rng.randrange(len(pool))]
        b = pool[rng.randrange(head)]
        if (a, b) in seen or len(a) + len(b) > 16 or (a + b) in vocab:
            continue
        seen.add((a, b))
        merges.append([a, b])
        vocab[a + b] = next_id
        next_id += 1
        pool.append(a + b)
    for token in doc["added_tokens"]:
        if token["id"] < 300:
            continue
        token["id"] = next_id
        next_id += 1
    if doc.get("post_processor") and doc["post_processor"].get("type") == "TemplateProcessing":
        for entry in doc["post_processor"]["special_tokens"].values():
            entry["ids"] = [next((t["id"] for t in doc["added_tokens"] if t["content"] == entry["id"]), entry["ids"][0])]
    model["merges"] = merges
    return doc


def make(directory):
    os.makedirs(directory, exist_ok=True)
    for name, source, target in [("big-bytelevel", "smolvlm-bytelevel", 150_000),
                                 ("big-sentencepiece", "paligemma-bpe", 250_000)]:
        with open(os.path.join(FIXTURES, f"{source}.json"), encoding="utf-8") as f:
            doc = grow(json.load(f), target, seed=7)
        text = json.dumps(doc, ensure_ascii=False)
        Tokenizer.from_str(text)
        with open(os.path.join(directory, f"{name}.json"), "w", encoding="utf-8") as f:
            f.write(text)
    with open(os.path.join(FIXTURES, "task_strings.json"), encoding="utf-8") as f:
        texts = [t for t in json.load(f) if len(t) < 400]
    with open(os.path.join(directory, "texts.json"), "w", encoding="utf-8") as f:
        json.dump(texts, f, ensure_ascii=False)


def run(path, texts_path, iterations):
    start = time.perf_counter()
    tokenizer = Tokenizer.from_file(path)
    load_ms = (time.perf_counter() - start) * 1000
    with open(texts_path, encoding="utf-8") as f:
        texts = json.load(f)
    tokens = 0
    for text in texts:  # warm-up (the Rust BPE keeps a cache, as this benchmark's Swift side does not)
        tokenizer.encode(text)
    start = time.perf_counter()
    for _ in range(iterations):
        for text in texts:
            tokens += len(tokenizer.encode(text).ids)
    seconds = time.perf_counter() - start
    print(json.dumps({"load_ms": load_ms, "tokens": tokens, "texts": len(texts) * iterations, "seconds": seconds}))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]))
