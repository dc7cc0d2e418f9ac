"""Reference encodings for the Swift Tokenizers tests, computed with the Python `tokenizers` library (the Rust
implementation) at test time.

usage: tokenizers_reference.py <fixtures dir> <work dir> <output.json> [--random N] [--seed S]

Reads the committed tokenizer.json fixtures and task_strings.json from <fixtures dir>, adds N seeded random strings,
writes variants of the fixtures (other normalizers, pre-tokenizers, post-processors, decoders, model options) into
<work dir>, and writes <output.json>:

  {"texts": [hex UTF-8, ...],
   "tokenizers": [{"name", "path", "results": [{"ids", "tokens" (hex), "plain_ids", "decoded" (hex),
                   "decoded_skip" (hex)} per text]}],
   "lerobot": [{"tokenizer", "path", "pad_id", "config", "text" (hex), "prompt" (hex), "ids", "mask"}],
   "pi05": [{"task" (hex), "state", "max_state_dim", "prompt" (hex)}]}

LeRobot's tokenizer step is transformers' fast-tokenizer call, which sets the Rust tokenizer's truncation
(longest_first, max_length, the tokenizer's truncation side) and padding (max_length / none, padding side, pad id)
before encoding; this script does the same through `enable_truncation` / `enable_padding`.
"""
import argparse
import copy
import json
import os
import random
import unicodedata

import numpy as np
from tokenizers import Tokenizer, models, pre_tokenizers, trainers


def hexs(s):
    return s.encode("utf-8").hex()


# Scalars the random strings are drawn from: ASCII, whitespace of every kind, accents and combining marks, CJK, Hangul,
# Arabic, Devanagari, emoji with modifiers, digits of other scripts, and pieces of special tokens.
POOL = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    + list(" " * 12 + "\n" * 4 + "\t\r\x0b\x0c\x1c\x85\xa0\u2028\u3000\u2009\u200b\ufeff")
    + list(".,;:!?'\"()[]{}<>-_/\\|@#$%^&*+=~`“”‘’—…")
    + list("éèêëàâäôöûüçñßøåæœÉÀÇİıǅΣσςάβγδ") + ["e\u0301", "a\u0308", "\u0301", "\u0327"]
    + list("赤いキューブを拾って拿起红色的方块빨간큐브를집어") + ["\u1100\u1161\u11a8"]
    + list("التقطالمكعبलालघनउठाओ")
    + ["🤖", "🍎", "👍🏽", "👩\u200d🔬", "🇫🇷", "❤️", "✨", "\U0001F600"]
    + list("١٢٣٤٥６７８９²½Ⅻ")
    + ["<image>", "<bos>", "<mask>", "<|im_start|>", "<|endoftext|>", "<s>", "</s>", "[INST]", "<loc0000>", "grip",
       " robot arm", "pick up", "<table>", "\n\n", "'s", "'LL", "'ve", "<0x41>", "<unk>", "▁", "Ġ"]
)


def random_strings(count, seed):
    rng = random.Random(seed)
    out = []
    for i in range(count):
        length = rng.choice([0, 1, 2, 3, 5, 8, 13, 21, 34, 60, 120])
        out.append("".join(rng.choice(POOL) for _ in range(length)))
    return out


def sweep_texts():
    """Scalars from most blocks of the Unicode planes in use, a few texts: every character
    class the regex matcher and the components test (letters, marks, numbers, punctuation, symbols, spaces, format
    and control characters, CJK, emoji) meets scalars of every category (~1000 per text)."""
    ranges = [(0x01, 0x800, 1), (0x800, 0x3400, 3), (0x3400, 0xD800, 53), (0xE000, 0x10000, 23),
              (0x10000, 0x20000, 61), (0x20000, 0x30000, 997), (0xE0000, 0xE0080, 3)]
    # Only scalars assigned in Python's Unicode tables (14.0), less those whose category later versions changed
    # (U+0295 ʕ: Ll → Lo), which each side's Unicode version classifies its own way.
    scalars = [chr(c) for lo, hi, step in ranges for c in range(lo, hi, step)
               if unicodedata.category(chr(c)) not in ("Cn", "Cs") and c not in (0x0295,)]
    return ["".join(scalars[i:i + 1000]) for i in range(0, len(scalars), 1000)]


QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def byte_level(add_prefix_space=False, use_regex=True):
    return {"type": "ByteLevel", "add_prefix_space": add_prefix_space, "trim_offsets": True, "use_regex": use_regex}


def split(pattern, behavior, invert=False, literal=False):
    return {"type": "Split", "pattern": {"String" if literal else "Regex": pattern}, "behavior": behavior,
            "invert": invert}


def variants(fixtures_dir, work_dir, texts):
    """Variants of the committed fixtures exercising every supported component."""
    def load(name):
        with open(os.path.join(fixtures_dir, f"{name}.json"), encoding="utf-8") as f:
            return json.load(f)

    bl = load("smolvlm-bytelevel")
    sp = load("paligemma-bpe")
    out = {}

    def bl_variant(name, pre_tokenizer, normalizer=None, post_processor=None):
        doc = copy.deepcopy(bl)
        doc["pre_tokenizer"] = pre_tokenizer
        doc["normalizer"] = normalizer
        doc["post_processor"] = post_processor
        out[name] = doc

    seq = lambda *items: {"type": "Sequence", "pretokenizers": list(items)}
    no_regex = byte_level(use_regex=False)
    bl_variant("bl-prefix-space", byte_level(add_prefix_space=True))
    bl_variant("bl-no-regex", no_regex)
    bl_variant("bl-split-space-prev", seq(split(" ", "MergedWithPrevious", literal=True), no_regex))
    bl_variant("bl-split-ws-next", seq(split(r"\s+", "MergedWithNext"), no_regex))
    bl_variant("bl-split-punct-contiguous-invert", seq(split(r"\p{P}+", "Contiguous", invert=True), no_regex))
    bl_variant("bl-split-digits-removed", seq(split("[0-9]+", "Removed"), no_regex))
    bl_variant("bl-split-contiguous", seq(split(r"[aeiou]", "Contiguous"), no_regex))
    bl_variant("bl-digits-contiguous", seq({"type": "Digits", "individual_digits": False}, byte_level()))
    bl_variant("bl-whitespace-split", seq({"type": "WhitespaceSplit"}, no_regex))
    bl_variant("bl-whitespace", seq({"type": "Whitespace"}, no_regex))
    bl_variant("bl-qwen2", seq(split(QWEN2_PATTERN, "Isolated"), no_regex),
               normalizer={"type": "NFC"})
    for form in ["NFD", "NFKC", "NFKD"]:
        bl_variant(f"bl-{form.lower()}", byte_level(), normalizer={"type": form})
    bl_variant("bl-strip-collapse", byte_level(), normalizer={"type": "Sequence", "normalizers": [
        {"type": "Strip", "strip_left": True, "strip_right": True},
        {"type": "Replace", "pattern": {"Regex": r"\s+"}, "content": " "}]})
    bl_variant("bl-regex-features", seq(split(
        r"^\s+|\s+$|\b\w{1,3}?\b|[\d]{2,3}|\p{Lu}\p{Ll}+(?=\s)|[a-zA-Z\u00C0-\u00FF]+|\x{1F916}|(?:ab)+|\P{L}", "Isolated"),
        no_regex))
    bl_variant("bl-regex-classes", seq(split(
        r"[^\S\n]+|[\w-]|\D{2}|[\p{^L}]{3,}|(?i:CUBE|pick)|.", "Isolated"), no_regex))
    # One character class per variant, its scalars removed: any difference in class membership changes the ids.
    classes = {"w": r"\w", "w-in-class": r"[\w]", "W": r"\W", "not-w-in-class": r"[^\w]", "s": r"\s",
               "S-in-class": r"[\S]", "d": r"\d", "D": r"\D", "L": r"\p{L}", "N": r"\p{N}", "P": r"\p{P}",
               "S": r"\p{S}", "M": r"\p{M}", "Lu": r"\p{Lu}", "Ll": r"\p{Ll}", "Lo": r"\p{Lo}", "Z": r"\p{Z}",
               "C": r"\p{C}", "not-L-N": r"[^\p{L}\p{N}]", "ci-a-z": r"(?i:[a-z])", "ci-k-s": r"(?i:k|s)",
               "dot": r".", "boundary": r"\b.", "range": r"[\u00C0-\u024F\x{1F300}-\x{1F64F}]"}
    for name, pattern in classes.items():
        bl_variant(f"class-{name}", seq(split(pattern, "Removed"), no_regex))
    bl_variant("bl-template-sequence", byte_level(), post_processor={"type": "Sequence", "processors": [
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        {"type": "TemplateProcessing",
         "single": [{"SpecialToken": {"id": "<|im_start|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                    {"SpecialToken": {"id": "<|im_end|>", "type_id": 0}}],
         "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
         "special_tokens": {"<|im_start|>": {"id": "<|im_start|>", "ids": [1], "tokens": ["<|im_start|>"]},
                            "<|im_end|>": {"id": "<|im_end|>", "ids": [2], "tokens": ["<|im_end|>"]}}}]})
    bl_variant("bl-roberta", byte_level(), post_processor={
        "type": "RobertaProcessing", "sep": ["<|im_end|>", 2], "cls": ["<|im_start|>", 1], "trim_offsets": True,
        "add_prefix_space": False})
    bl_variant("bl-bert", byte_level(), post_processor={"type": "BertProcessing", "sep": ["<|im_end|>", 2],
                                                        "cls": ["<|im_start|>", 1]})

    def sp_variant(name, normalizer=None, pre_tokenizer=None, decoder=None, **model_options):
        doc = copy.deepcopy(sp)
        doc["normalizer"] = normalizer
        doc["pre_tokenizer"] = pre_tokenizer
        if decoder is not None:
            doc["decoder"] = decoder
        doc["model"].update(model_options)
        out[name] = doc

    metaspace_decoder = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}
    sp_variant("sp-metaspace-always-split",
               pre_tokenizer={"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
               decoder=metaspace_decoder)
    sp_variant("sp-metaspace-never", pre_tokenizer={"type": "Metaspace", "replacement": "▁",
                                                    "prepend_scheme": "never", "split": False},
               decoder={"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never", "split": False})
    sp_variant("sp-metaspace-first-split", pre_tokenizer={"type": "Metaspace", "replacement": "▁",
                                                          "prepend_scheme": "first", "split": True},
               decoder={"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": True})
    sp_variant("sp-metaspace-legacy", pre_tokenizer={"type": "Metaspace", "replacement": "▁", "str_rep": "▁",
                                                     "add_prefix_space": True},
               decoder={"type": "Metaspace", "replacement": "▁", "str_rep": "▁", "add_prefix_space": True})
    gemma_normalizer = {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}
    sp_variant("sp-unk-no-fallback", normalizer=gemma_normalizer, byte_fallback=False, fuse_unk=False)
    sp_variant("sp-unk-fused-no-fallback", normalizer=gemma_normalizer, byte_fallback=False, fuse_unk=True)
    sp_variant("sp-no-unk", normalizer=gemma_normalizer, byte_fallback=False, unk_token=None)
    sp_variant("sp-ignore-merges", normalizer=gemma_normalizer, ignore_merges=True)
    sp_variant("sp-regex-replace", normalizer={"type": "Sequence", "normalizers": [
        {"type": "Strip", "strip_left": False, "strip_right": True},
        {"type": "Replace", "pattern": {"Regex": " +"}, "content": "▁"},
        {"type": "Prepend", "prepend": "▁"}]},
        decoder={"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"Regex": "▁+"}, "content": " "}, {"type": "ByteFallback"},
            {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 2, "stop": 0}]})

    # A model with a continuing-subword prefix and an end-of-word suffix, trained here on the task strings.
    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##", end_of_word_suffix="</w>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.train_from_iterator(texts * 3, trainers.BpeTrainer(
        vocab_size=500, special_tokens=["[UNK]"], continuing_subword_prefix="##", end_of_word_suffix="</w>",
        limit_alphabet=100, show_progress=False))
    out["wp-prefix-suffix"] = json.loads(tokenizer.to_str())

    paths = {}
    for name, doc in out.items():
        text = json.dumps(doc, ensure_ascii=False)
        Tokenizer.from_str(text)
        path = os.path.join(work_dir, f"{name}.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        paths[name] = path
    return paths


def encode_all(path, texts):
    tokenizer = Tokenizer.from_file(path)
    results = []
    for text in texts:
        encoding = tokenizer.encode(text)
        plain = tokenizer.encode(text, add_special_tokens=False)
        results.append({
            "ids": encoding.ids,
            "tokens": [hexs(t) for t in encoding.tokens],
            "plain_ids": plain.ids,
            "decoded": hexs(tokenizer.decode(encoding.ids, skip_special_tokens=False)),
            "decoded_skip": hexs(tokenizer.decode(encoding.ids, skip_special_tokens=True)),
        })
    return results


def pi05_prompt(task, state, max_state_dim):
    """LeRobot's pi05_prepare_state_tokenizer_processor_step for one task (numpy, float32 state)."""
    state = np.asarray(state, dtype=np.float32)
    if max_state_dim is not None and state.shape[-1] < max_state_dim:
        state = np.pad(state, (0, max_state_dim - state.shape[-1]))
    bins = np.digitize(state, bins=np.linspace(-1, 1, 256 + 1)[:-1]) - 1
    cleaned = task.strip().replace("_", " ").replace("\n", " ")
    return f"Task: {cleaned}, State: {' '.join(map(str, bins))};\nAction: "


def lerobot_cases(fixtures_dir, texts):
    """LeRobot's tokenizer step for pi0, pi0.5 and SmolVLA-like configurations, through transformers' recipe."""
    configs = [
        ("paligemma-bpe", "<pad>", {"max_length": 48, "padding": "max_length", "padding_side": "right",
                                    "truncation": True}, True),
        ("paligemma-bpe", "<pad>", {"max_length": 200, "padding": "max_length", "padding_side": "right",
                                    "truncation": True}, False),
        ("paligemma-bpe", "<pad>", {"max_length": 16, "padding": "max_length", "padding_side": "left",
                                    "truncation": True}, True),
        ("paligemma-bpe", "<pad>", {"max_length": 12, "padding": "max_length", "padding_side": "right",
                                    "truncation": False}, True),
        ("paligemma-bpe", "<pad>", {"max_length": 12, "padding": "max_length", "padding_side": "right",
                                    "truncation": True, "truncation_side": "left"}, True),
        ("smolvlm-bytelevel", "<|im_end|>", {"max_length": 48, "padding": "longest", "padding_side": "right",
                                             "truncation": True}, True),
        ("smolvlm-bytelevel", "<|im_end|>", {"max_length": 24, "padding": "max_length", "padding_side": "right",
                                             "truncation": True}, True),
        ("llama-metaspace", "<unk>", {"max_length": 10, "padding": "max_length", "padding_side": "right",
                                      "truncation": True}, False),
    ]
    cases = []
    for name, pad_token, config, newline in configs:
        path = os.path.join(fixtures_dir, f"{name}.json")
        tokenizer = Tokenizer.from_file(path)
        pad_id = tokenizer.token_to_id(pad_token)
        if config["truncation"]:
            tokenizer.enable_truncation(config["max_length"], strategy="longest_first",
                                        direction=config.get("truncation_side", "right"))
        if config["padding"] == "max_length":
            tokenizer.enable_padding(direction=config["padding_side"], pad_id=pad_id, pad_token=pad_token,
                                     length=config["max_length"])
        for text in texts:
            prompt = text if not newline or text.endswith("\n") else text + "\n"
            encoding = tokenizer.encode(prompt)
            cases.append({"tokenizer": name, "path": path, "pad_id": pad_id, "config": config, "newline": newline,
                          "text": hexs(text), "prompt": hexs(prompt), "ids": encoding.ids,
                          "mask": encoding.attention_mask})
    return cases


def pi05_cases(texts, seed):
    rng = np.random.default_rng(seed)
    special = np.array([-1.0, 1.0, -1.0000001, 0.9999999, 0.0, -0.0, np.nan, np.inf, -np.inf, 0.5, -0.5,
                        -1 + 1 / 128, 1 - 1 / 128, 3.0, -3.0], dtype=np.float32)
    cases = []
    for i, text in enumerate(texts[:60]):
        if i % 3 == 0:
            state = special.copy()
        else:
            state = rng.uniform(-1.3, 1.3, size=int(rng.integers(1, 40))).astype(np.float32)
        max_dim = None if i % 4 == 1 else 32
        cases.append({"task": hexs(text), "state": [float(x) if np.isfinite(x) else str(x) for x in state],
                      "max_state_dim": max_dim, "prompt": hexs(pi05_prompt(text, state, max_dim))})
    return cases


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("fixtures")
    parser.add_argument("work")
    parser.add_argument("output")
    parser.add_argument("--random", type=int, default=400)
    parser.add_argument("--seed", type=int, default=20260801)
    args = parser.parse_args()
    with open(os.path.join(args.fixtures, "task_strings.json"), encoding="utf-8") as f:
        curated = json.load(f)
    sweep = sweep_texts()
    texts = curated + sweep + random_strings(args.random, args.seed)
    names = sorted(n[:-5] for n in os.listdir(args.fixtures) if n.endswith(".json") and n != "task_strings.json")
    paths = {n: os.path.join(args.fixtures, f"{n}.json") for n in names}
    paths.update(variants(args.fixtures, args.work, curated))
    result = {
        "texts": [hexs(t) for t in texts],
        "sweep": list(range(len(curated), len(curated) + len(sweep))),
        "tokenizers": [{"name": n, "path": p, "results": encode_all(p, texts)} for n, p in paths.items()],
        "lerobot": lerobot_cases(args.fixtures, texts),
        "pi05": pi05_cases(texts, args.seed),
    }
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(result, f)
    print(f"{len(texts)} texts, {len(paths)} tokenizers, {len(result['lerobot'])} LeRobot cases")


if __name__ == "__main__":
    main()
