"""Builds the small tokenizer.json fixtures of Tests/Fixtures/tokenizers with the Python `tokenizers` library.

No Hub access here, so the checkpoints' real tokenizers cannot be downloaded; instead two small BPE models are trained
on a made-up corpus of robot tasks and multilingual text, and written with the pipelines of the tokenizers LeRobot's
VLA policies use:

  smolvlm-bytelevel.json  SmolVLM2 / SmolLM2 style: Digits(individual) + ByteLevel pre-tokenizer, no normalizer,
                          ByteLevel post-processor and decoder, special tokens (<|im_start|>, <image>, ...)
  gpt2-legacy.json        GPT-2 style: ByteLevel(add_prefix_space) only, merges in the old "a b" string form,
                          TemplateProcessing that appends <|endoftext|>
  llama3-split.json       Llama-3 style: Split(regex, Isolated) + ByteLevel(use_regex=false), ignore_merges,
                          <|begin_of_text|> through TemplateProcessing
  paligemma-bpe.json      PaliGemma / Gemma style: Replace(" " -> "▁") normalizer, no pre-tokenizer, BPE with
                          byte_fallback + fuse_unk + <unk>, TemplateProcessing "<bos> $A", decoder
                          Replace + ByteFallback + Fuse, added tokens (<image>, <loc....>, normalized ones)
  llama-metaspace.json    Llama-2 (non-legacy) style: Metaspace(prepend_scheme=first, split=false), <s> ... </s>
  llama-prepend.json      Llama-2 (legacy) style: Prepend("▁") + Replace normalizers, no pre-tokenizer

It also writes task_strings.json, the curated task strings the tests encode (python/tokenizers_reference.py adds
seeded random ones at test time).

usage: .venv/bin/python tools/make_tokenizer_fixtures.py [--output Tests/Fixtures/tokenizers]
"""
import argparse
import json
import os
import random

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

OBJECTS = ["cube", "block", "banana", "apple", "cup", "bowl", "towel", "drawer", "lid", "sponge", "marker", "bottle",
           "lego brick", "screwdriver", "plate", "box", "basket", "ball", "pen", "shoe"]
COLORS = ["red", "green", "blue", "yellow", "black", "white", "orange", "purple", "pink", "grey"]
PLACES = ["bowl", "box", "basket", "drawer", "tray", "bin", "left side", "right corner", "shelf", "plate"]
VERBS = ["pick up", "grab", "move", "push", "place", "put", "lift", "stack", "rotate", "slide", "open", "close",
         "fold", "wipe", "pour", "insert", "hand over", "sort"]
MULTILINGUAL = [
    "Prends le cube rouge et pose-le dans le bol, s'il te plaît.",
    "Nimm den grünen Würfel und leg ihn in die Schüssel.",
    "Coge la manzana amarilla y ponla en la cesta.",
    "Metti la bottiglia sul vassoio già pulito.",
    "Возьми красный кубик и положи его в миску.",
    "Σήκωσε τον μπλε κύβο.",
    "赤いキューブを拾って、ボウルに入れてください。",
    "拿起红色的方块，放进碗里。",
    "빨간 큐브를 집어서 그릇에 넣어.",
    "लाल घन उठाओ और कटोरे में रखो।",
    "التقط المكعب الأحمر وضعه في الوعاء",
    "Kırmızı küpü al ve kaseye koy.",
    "Zürich café naïve façade coöperate résumé",
    "The robot's gripper can't reach; it'll try again, we've seen it, I'm sure, you'd agree.",
    "Set the arm to 90 degrees, move 15 cm forward, then 3.5 cm left (2 times).",
    "emoji: 🤖 🍎 👍 ✨",
]


def corpus(seed):
    rng = random.Random(seed)
    lines = list(MULTILINGUAL) * 3
    for _ in range(3000):
        verb, obj, color, place = rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(COLORS), rng.choice(PLACES)
        template = rng.choice([
            "{v} the {c} {o}",
            "{v} the {c} {o} and put it in the {p}",
            "{V} the {o} into the {p}.",
            "Please {v} the {o} on the {p}!",
            "{v} {n} {o}s to the {p}",
            "Task: {v} the {o}, State: {s};\nAction: ",
        ])
        state = " ".join(str(rng.randrange(256)) for _ in range(6))
        lines.append(template.format(v=verb, V=verb.capitalize(), o=obj, c=color, p=place, n=rng.randrange(12),
                                     s=state) + ("\n" if rng.random() < 0.3 else ""))
    return lines


def added(content, id, special=True, normalized=None, lstrip=False, rstrip=False, single_word=False):
    return {"id": id, "content": content, "single_word": single_word, "lstrip": lstrip, "rstrip": rstrip,
            "normalized": (not special) if normalized is None else normalized, "special": special}


def trained_model(tokenizer, trainer, lines):
    tokenizer.train_from_iterator(lines, trainer)
    model = json.loads(tokenizer.to_str())["model"]
    return model["vocab"], model["merges"]


def document(model, added_tokens, normalizer=None, pre_tokenizer=None, post_processor=None, decoder=None):
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added_tokens,
            "normalizer": normalizer, "pre_tokenizer": pre_tokenizer, "post_processor": post_processor,
            "decoder": decoder, "model": model}


def bpe(vocab, merges, **options):
    model = {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
             "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False}
    model.update(options)
    model["vocab"] = vocab
    model["merges"] = merges
    return model


def template(single, special_tokens):
    return {"type": "TemplateProcessing", "single": single,
            "pair": single + [{"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [i], "tokens": [t]} for t, i in special_tokens}}


def special(token):
    return {"SpecialToken": {"id": token, "type_id": 0}}


SEQUENCE_A = {"Sequence": {"id": "A", "type_id": 0}}
BYTE_LEVEL = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
SP_DECODER = {"type": "Sequence", "decoders": [
    {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
    {"type": "ByteFallback"}, {"type": "Fuse"}]}


def byte_level_fixtures(lines):
    # Ids 0..5 are the special tokens, as in SmolLM2 / SmolVLM2 (<|endoftext|>, <|im_start|>, <|im_end|>, ...).
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<image>", "<fake_token_around_image>",
                "<end_of_utterance>"]
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)])
    trainer = trainers.BpeTrainer(vocab_size=900, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=specials, show_progress=False)
    vocab, merges = trained_model(tokenizer, trainer, lines)
    n = len(vocab)
    tokens = [added(t, i) for i, t in enumerate(specials)] + [
        added("<mask>", n, special=True, lstrip=True),
        added("<row_1_col_1>", n + 1, special=True),
        added("grip", n + 2, special=False, normalized=True, single_word=True),
        added(" robot arm", n + 3, special=False, normalized=False, rstrip=True),
    ]
    smolvlm = document(
        bpe(vocab, merges), tokens,
        pre_tokenizer={"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": True},
                                                            BYTE_LEVEL]},
        post_processor={"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        decoder={"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True})
    gpt2 = document(
        bpe(vocab, [" ".join(pair) for pair in merges]), [added("<|endoftext|>", 0)],
        pre_tokenizer={"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        post_processor=template([SEQUENCE_A, special("<|endoftext|>")], [("<|endoftext|>", 0)]),
        decoder={"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True})
    llama3 = document(
        bpe(vocab, merges, ignore_merges=True),
        [added("<|begin_of_text|>", n, special=True), added("<|end_of_text|>", n + 1, special=True)],
        pre_tokenizer={"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": LLAMA3_PATTERN}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        post_processor=template([special("<|begin_of_text|>"), SEQUENCE_A], [("<|begin_of_text|>", n)]),
        decoder={"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True})
    return {"smolvlm-bytelevel": smolvlm, "gpt2-legacy": gpt2, "llama3-split": llama3}


def sentencepiece_fixtures(lines):
    # Trained with Metaspace so that merges stop at word starts, as SentencePiece's do; the fixtures then use the
    # checkpoints' own pipelines. The byte tokens <0x00>..<0xFF> are ordinary vocabulary entries, as in Gemma.
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tokenizer.normalizer = normalizers.Replace(" ", "▁")
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never", split=True)
    trainer = trainers.BpeTrainer(vocab_size=700, limit_alphabet=120, special_tokens=["<unk>"], show_progress=False)
    trained_vocab, merges = trained_model(tokenizer, trainer, lines)
    head = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>"] + [f"<0x{b:02X}>" for b in range(256)]
    ordered = head + [t for t, _ in sorted(trained_vocab.items(), key=lambda kv: kv[1]) if t not in head]
    vocab = {t: i for i, t in enumerate(ordered)}
    n = len(vocab)
    model = bpe(vocab, merges, unk_token="<unk>", fuse_unk=True, byte_fallback=True)
    gemma_tokens = [added(t, i) for i, t in enumerate(head[:5])] + [
        added("<image>", n, special=False, normalized=False),
        added("<loc0000>", n + 1, special=False, normalized=False),
        added("<loc0001>", n + 2, special=False, normalized=False),
        added("<seg042>", n + 3, special=False, normalized=False),
        added("<start_of_turn>", n + 4, special=True),
        added("pick up", n + 5, special=False, normalized=True),
        added("<table>", n + 6, special=False, normalized=True),
        added("\n\n", n + 7, special=False, normalized=False),
    ]
    paligemma = document(
        model, gemma_tokens,
        normalizer={"type": "Replace", "pattern": {"String": " "}, "content": "▁"},
        post_processor=template([special("<bos>"), SEQUENCE_A], [("<bos>", 2)]),
        decoder=SP_DECODER)
    llama_tokens = [added("<unk>", 3), added("<s>", n, special=True), added("</s>", n + 1, special=True),
                    added("[INST]", n + 2, special=False, normalized=False, lstrip=True, rstrip=True)]
    llama_template = template([special("<s>"), SEQUENCE_A, special("</s>")], [("<s>", n), ("</s>", n + 1)])
    llama_metaspace = document(
        model, llama_tokens,
        pre_tokenizer={"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False},
        post_processor=llama_template,
        decoder={"type": "Sequence", "decoders": SP_DECODER["decoders"]
                 + [{"type": "Strip", "content": " ", "start": 1, "stop": 0}]})
    llama_prepend = document(
        model, llama_tokens,
        normalizer={"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
        post_processor=llama_template,
        decoder={"type": "Sequence", "decoders": SP_DECODER["decoders"]
                 + [{"type": "Strip", "content": " ", "start": 1, "stop": 0}]})
    return {"paligemma-bpe": paligemma, "llama-metaspace": llama_metaspace, "llama-prepend": llama_prepend}


def task_strings():
    s = [
        "", " ", "  ", "\n", "\n\n", "\t", "\r\n", " \n ",
        "pick up the red cube and place it in the bowl",
        "Pick up the cube", "pick up the cube\n", "pick up the cube\n\n", "PICK UP THE CUBE",
        "fold the towel", "open the drawer", "put the banana in the basket.",
        "  pick up the cube  ", "pick  up   the    cube", "pick\tup\tthe\tcube", "pick up\r\nthe cube",
        "Pick up the cube!", "What's that? It's the robot's arm.", "I'M SURE IT'LL WORK, WE'VE DONE IT, DON'T WORRY",
        "'s 't 're 've 'm 'll 'd", "'S 'T 'RE 'VE 'M 'LL 'D", "'", "''", "it'S", "rock'n'roll", "''s", "'sup",
        "“smart quotes” and ‘single’ — dash… ellipsis", "(brackets) [square] {curly} <angle>",
        "$12.50 #1 e-mail C++ a/b\\c 100% ~^_`|", "!!!???...", "hello,world;foo:bar",
        "move 3 cm", "rotate 90 degrees", "1234567890", "3.14159", "0.5x", "x2", "12abc34",
        "١٢٣ ٤٥", "x² ½ ¾", "Ⅻ ⅷ", "１２３ ＡＢＣ", "٣ cubes",
        "café", "cafe\u0301", "naïve", "Zürich", "straße", "İstanbul ı", "ǅemal", "Σίσυφος ΣΊΣΥΦΟΣ",
        "возьми красный кубик", "التقط المكعب", "שלום עולם", "लाल घन उठाओ", "ใส่ลูกบาศก์ในชาม",
        "赤いキューブを拾って", "拿起红色的方块", "빨간 큐브를 집어", "abc日本語123def",
        "🤖 pick up 🍎", "👩‍🔬 scientist", "🇫🇷🇯🇵", "👍🏽", "❤️", "🤖🤖🤖🤖",
        "a\u200bb", "a\u00a0b", "a\u3000b", "a\u2028b", "a\u0085b", "a\u180eb", "\ufeffbom", "a\u2009b\u202fc",
        "nul\u0000char", "bell\u0007", "vt\u000bff\u000c", "fs\u001cgs\u001dus\u001f", "del\u007f", "\u00ad soft",
        "e\u0301\u0301\u0301", "\u0301leading mark", "Hangul jamo \u1100\u1161\u11a8",
        "<image>pick up the cube", "<image><image><image>pick", "look at <image> then < image >",
        "<bos>hello", "<bos> hello <eos>", "<|im_start|>user\npick<|im_end|>", "<|endoftext|>",
        "<mask> the cube", "the  <mask>", "put <mask>in", "grip the cube", "gripper grip regrip grip_",
        "grip", " grip ", "the robot arm moves", "robot arm", "the robot arm   now",
        "<loc0000><loc0001> cube <seg042>", "<start_of_turn>user", "<table> cell <table>",
        "[INST] pick up [INST]x", "<s>pick</s>", "<0x41>", "<unk>", "<pad>",
        "Task: pick up the cube, State: 128 64 255 0 12 200;\nAction: ",
        "pick up the cube " * 40,
        "supercalifragilisticexpialidocious" * 20,
        "a" * 3000,
        "🤖" * 500,
        " " * 300 + "x",
        "\n" * 50,
        "x" + "\t " * 100,
        "The quick brown fox jumps over the lazy dog. " * 30,
        "Prends le cube rouge, nimm den Würfel, 赤いキューブ, 빨간 큐브, возьми кубик, 🤖✨ " * 10,
    ]
    return s


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", default="Tests/Fixtures/tokenizers")
    args = parser.parse_args()
    os.makedirs(args.output, exist_ok=True)
    lines = corpus(seed=8)
    fixtures = {**byte_level_fixtures(lines), **sentencepiece_fixtures(lines)}
    for name, doc in fixtures.items():
        text = json.dumps(doc, ensure_ascii=False, indent=1)
        Tokenizer.from_str(text)  # the library must accept it
        with open(os.path.join(args.output, f"{name}.json"), "w", encoding="utf-8") as f:
            f.write(text + "\n")
    with open(os.path.join(args.output, "task_strings.json"), "w", encoding="utf-8") as f:
        json.dump(task_strings(), f, ensure_ascii=False, indent=0)
        f.write("\n")
    print(f"wrote {len(fixtures)} tokenizers and {len(task_strings())} task strings to {args.output}")


if __name__ == "__main__":
    main()
