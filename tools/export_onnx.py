#!/usr/bin/env python3
"""Exports a LeRobot policy checkpoint to a model package the Swift policy server runs on ONNX Runtime.

    python tools/export_onnx.py --policy.path <checkpoint dir or Hub repo id> --output <dir>
        [--opset 17] [--atol 1e-4] [--samples 3] [--keep-weights]

Needs `torch`, `lerobot`, `onnx` and `onnxruntime` (not the project's .venv: install them yourself, e.g.
`python3 -m venv .venv-export && .venv-export/bin/pip install lerobot onnx onnxruntime onnxscript`).
Tried with lerobot 0.4.4, torch 2.10.0 (CPU), onnx 1.23.2, onnxruntime 1.32.0, Python 3.11 (smolvla: lerobot[smolvla],
transformers 4.57.6).

The package is the checkpoint directory (config.json, policy_preprocessor.json, policy_postprocessor.json and the
normalizer .safetensors; model.safetensors only with --keep-weights) plus onnx/:
  onnx/chunk.onnx   observation (after LeRobot's pre-processor) → action chunk in model space, batch axis dynamic
  onnx/model.json   {"format": "lerobot-onnx-package", "format_version": 1, "policy_type", "graphs": {"chunk":
                    {"file", "inputs": [{"name", "dtype", "shape"}], "outputs": [...]}}, "exporter": {...}}
Graph inputs are named after the policy's input features (observation.state, observation.images.<cam>, ...);
"batch" names the dynamic first axis. Before it finishes, the exporter runs PyTorch and ONNX Runtime on random
inputs (batch 1 and 2) and fails when they differ by more than --atol; it prints the max absolute difference.

Flow-matching policies (smolvla, pi0, pi05) are split in two graphs around LeRobot's Euler sampler, which the server runs in
Swift (with RTC guidance):
  onnx/prefix.onnx     observation.state [batch, S] (normalized), observation.images.<cam> [batch, 3, H, W] (float
                       [0, 1], the config's size), observation.language.tokens int64 [batch, L] and
                       observation.language.attention_mask bool [batch, L] (the task tokenized by the checkpoint's
                       tokenizer, right-padded to L = tokenizer_max_length with mask false)
                       → prefix_pad_mask bool [batch, P] and past_key.<i> / past_value.<i> float32 [batch, P, heads,
                       head_dim] for every layer: the VLM's key/value cache of images + language + state
  onnx/velocity.onnx   every prefix output, x_t float32 [batch, chunk_size, max_action_dim] and time float32 [batch]
                       → velocity float32 [batch, chunk_size, max_action_dim] (one denoising step)
  model.json adds "flow_matching": {"num_steps", "chunk_size", "max_action_dim", "action_dim", "language_tokens"}.
pi0 also outputs prefix_state float32 [batch, max_state_dim] from the prefix graph (the padded state, which pi0 embeds
in the suffix; the velocity graph takes it back with the cache), and its cache is [batch, kv_heads, P, head_dim].
pi05 (pi0.5) has no state input in the prefix graph (its pre-processor writes the discretized state into the prompt
tokens) and no state in the suffix; its velocity graph conditions the action expert's norms on the time (adaRMS).
LeRobot's pi0 and pi05 need a patched transformers; with stock transformers (tried 4.57.6)
tools/pi0_transformers_patch.py is applied before loading (float32 only). See docs/pi0-export.md.
The check runs both graphs with a numpy Euler loop against PyTorch's predict_action_chunk on the same noise.
Padding the language to L instead of LeRobot's "longest" changes nothing but float rounding: pad tokens are masked
out of every attention.

Diffusion Policy (diffusion) is split in two graphs around the noise scheduler (DDPM or DDIM), which the server runs
in Swift:
  onnx/encoder.onnx    observation.state [batch, n_obs_steps, S] (normalized), observation.environment_state
                       [batch, n_obs_steps, E] when the policy has one (normalized) and observation.images.<cam>
                       [batch, n_obs_steps, 3, H, W] (normalized, the config's size; oldest observation first)
                       → global_cond float32 [batch, G]: LeRobot's optional resize (torchvision's antialiased
                       bilinear Resize as two MatMuls with its weights), the eval-mode center crop, the ResNet +
                       spatial-softmax image encoder and the concatenation with the state (and environment state)
  onnx/denoiser.onnx   sample float32 [batch, horizon, A], timestep int64 [batch], global_cond → model_output float32
                       [batch, horizon, A] (the conditional 1D U-Net: noise or sample, per prediction_type)
  model.json adds "diffusion": {"scheduler" ("DDPM" | "DDIM"), "num_train_timesteps", "num_inference_steps",
                       "beta_schedule", "beta_start", "beta_end", "clip_sample", "clip_sample_range",
                       "prediction_type", "timestep_spacing", "steps_offset", "horizon", "n_obs_steps",
                       "n_action_steps", "action_dim", and "resize_shape" [h, w] when the graph resizes}, plus
                       "variance_type" (DDPM) or "set_alpha_to_one" and "eta"
                       (DDIM): diffusers' settings as LeRobot builds its scheduler (diffusers' defaults where LeRobot
                       passes none).
The check runs both graphs with a numpy scheduler loop against PyTorch's generate_actions on the same initial noise
and the same per-step DDPM noise (diffusers' randn_tensor is replaced by the recorded tensors while PyTorch runs).

Supported policy types: act (single pass, observation → chunk); smolvla, pi0, pi05 (prefix + velocity graphs); diffusion
(encoder + denoiser graphs).
"""
import argparse
import contextlib
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SINGLE_PASS = ("act",)
FLOW_MATCHING = ("smolvla", "pi0", "pi05")
DIFFUSION = ("diffusion",)
SUPPORTED = SINGLE_PASS + FLOW_MATCHING + DIFFUSION


class ChunkGraph:
    """Wraps a policy's network as (state, images...) → normalized chunk, the graph the server runs."""

    @staticmethod
    def build(policy):
        import torch

        config = policy.config
        names = []
        if config.robot_state_feature is not None:
            names.append("observation.state")
        if config.env_state_feature is not None:
            names.append("observation.environment_state")
        images = list(config.image_features)
        names += images

        class Wrapper(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.model = policy.model

            def forward(self, *tensors):
                batch = dict(zip(names, tensors))
                if images:
                    batch["observation.images"] = [batch[key] for key in images]
                return self.model(batch)[0]

        return Wrapper().eval(), names


class FlowGraphs:
    """What the exporter needs of a flow-matching policy split in two graphs; subclasses set `prefix`, `velocity`,
    `cameras`, `tokens`, `state_dim`, `prefix_inputs`, `cache_names` (the prefix graph's outputs) and `tracing()`."""

    def random_observation(self, batch, generator, token_count=None):
        """Normalized state, [0, 1] images, and tokens right-padded to `tokens` with LeRobot's mask (`token_count`
        real tokens per row, random when nil)."""
        import torch

        state = torch.randn(batch, self.state_dim, generator=generator)
        images = [torch.rand([batch] + list(self.config.input_features[key].shape), generator=generator) for key in self.cameras]
        vocab = self.policy_vocab()
        tokens = torch.zeros(batch, self.tokens, dtype=torch.int64)
        mask = torch.zeros(batch, self.tokens, dtype=torch.bool)
        for b in range(batch):
            n = token_count or int(torch.randint(1, self.tokens + 1, (1,), generator=generator))
            tokens[b, :n] = torch.randint(0, vocab, (n,), generator=generator)
            mask[b, :n] = True
        return state, images, tokens, mask

    # Whether the prefix graph takes observation.state (pi0.5 does not: its state reaches the model as prompt tokens).
    takes_state = True

    def prefix_args(self, state, images, tokens, mask):
        """The prefix graph's inputs, in order, from an observation."""
        return ((state,) if self.takes_state else ()) + tuple(images) + (tokens, mask)

    def shapes(self):
        """(input specs, output specs) per graph for model.json, after a trial run gives the prefix length."""
        import torch

        with torch.no_grad():
            observation = self.random_observation(1, torch.Generator().manual_seed(0))
            outputs = self.prefix(*self.prefix_args(*observation))
        f32 = lambda name, shape: {"name": name, "dtype": "float32", "shape": ["batch"] + list(shape)}  # noqa: E731
        prefix_in = [f32("observation.state", [self.state_dim])] if self.takes_state else []
        prefix_in += [f32(key, self.config.input_features[key].shape) for key in self.cameras]
        prefix_in += [{"name": "observation.language.tokens", "dtype": "int64", "shape": ["batch", self.tokens]},
                      {"name": "observation.language.attention_mask", "dtype": "bool", "shape": ["batch", self.tokens]}]
        cache = [{"name": name, "dtype": "bool" if out.dtype == torch.bool else "float32", "shape": ["batch"] + list(out.shape[1:])}
                 for name, out in zip(self.cache_names, outputs)]
        chunk = [self.config.chunk_size, self.config.max_action_dim]
        velocity_in = cache + [f32("x_t", chunk), {"name": "time", "dtype": "float32", "shape": ["batch"]}]
        return {"prefix": (prefix_in, cache), "velocity": (velocity_in, [f32("velocity", chunk)])}

    @staticmethod
    @contextlib.contextmanager
    def bool_reductions_as_ints():
        """`torch.cumsum` / `torch.sum` of a bool mask (int64 in PyTorch) are traced as ONNX CumSum / ReduceSum on bool,
        which ONNX does not define: the mask is cast to int64 first, which is what PyTorch does anyway."""
        import torch

        cumsum, total = torch.cumsum, torch.sum

        def cumsum_of_ints(input, *args, **kwargs):
            return cumsum(input.long() if input.dtype == torch.bool else input, *args, **kwargs)

        def sum_of_ints(input, *args, **kwargs):
            return total(input.long() if input.dtype == torch.bool else input, *args, **kwargs)

        torch.cumsum, torch.sum = cumsum_of_ints, sum_of_ints
        try:
            yield
        finally:
            torch.cumsum, torch.sum = cumsum, total


class SmolVLAGraphs(FlowGraphs):
    """SmolVLA split at its key/value cache: `prefix` runs LeRobot's image preparation (resize with padding, [-1, 1]),
    state padding, `embed_prefix` and the VLM once (fill_kv_cache); `velocity` is LeRobot's `denoise_step` on that
    cache. The Euler loop between them (and RTC guidance) is the server's."""

    def __init__(self, policy):
        import torch

        from lerobot.policies.smolvla.modeling_smolvla import make_att_2d_masks

        config = policy.config
        if config.adapt_to_pi_aloha:
            raise SystemExit("smolvla with adapt_to_pi_aloha is not supported by this exporter")
        if not config.use_cache:
            raise SystemExit("smolvla with use_cache=false is not supported by this exporter (the velocity graph reads the cache)")
        model = policy.model
        self.config = config
        self.cameras = [key for key in config.image_features if ".empty_camera_" not in key]
        self.layers = model.vlm_with_expert.num_vlm_layers
        self.tokens = config.tokenizer_max_length
        self.state_dim = config.robot_state_feature.shape[0]
        cameras, layers = self.cameras, self.layers

        class Prefix(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.policy = policy

            def forward(self, state, *rest):
                images = rest[: len(cameras)]
                tokens, mask = rest[len(cameras)], rest[len(cameras) + 1]
                batch = {"observation.state": state, **dict(zip(cameras, images))}
                prepared, image_masks = policy.prepare_images(batch)
                padded_state = policy.prepare_state(batch)
                embs, pad_masks, att_masks = model.embed_prefix(prepared, image_masks, tokens, mask, state=padded_state)
                att_2d = make_att_2d_masks(pad_masks, att_masks)
                positions = torch.cumsum(pad_masks, dim=1) - 1
                _, cache = model.vlm_with_expert.forward(
                    attention_mask=att_2d, position_ids=positions, past_key_values=None, inputs_embeds=[embs, None],
                    use_cache=True, fill_kv_cache=True)
                out = [pad_masks]
                for i in range(layers):
                    out += [cache[i]["key_states"], cache[i]["value_states"]]
                return tuple(out)

        class Velocity(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.policy = policy

            def forward(self, pad_masks, *rest):
                cache = {i: {"key_states": rest[2 * i], "value_states": rest[2 * i + 1]} for i in range(layers)}
                x_t, time = rest[2 * layers], rest[2 * layers + 1]
                return model.denoise_step(pad_masks, cache, x_t, time)

        self.prefix = Prefix().eval()
        self.velocity = Velocity().eval()
        vision = model.vlm_with_expert.get_vlm_model().vision_model
        side = vision.embeddings.num_patches_per_side * vision.embeddings.patch_size
        if config.resize_imgs_with_padding is None or tuple(config.resize_imgs_with_padding) != (side, side):
            raise SystemExit(
                f"smolvla: resize_imgs_with_padding {config.resize_imgs_with_padding} must equal the vision encoder's "
                f"image size ({side}, {side}) for this exporter")
        self.vision_embeddings = vision.embeddings
        self.prefix_inputs = ["observation.state"] + self.cameras + ["observation.language.tokens",
                                                                       "observation.language.attention_mask"]
        self.cache_names = ["prefix_pad_mask"] + [f"past_{kind}.{i}" for i in range(layers) for kind in ("key", "value")]

    @contextlib.contextmanager
    def tracing(self):
        """While exporting, the vision embeddings take constant position ids. The library computes them per sample with
        a Python loop and `bucketize` over fractional patch coordinates, which the tracer would freeze at the example's
        batch size; with full-size images (resize_imgs_with_padding = the encoder's image size, checked above) and no
        patch mask, as SmolVLA calls it, they are the same for every image, so they are recorded once from the library
        itself (a hook on the position embedding) and replayed. The check after export compares against the unpatched
        PyTorch model.

        Also, `torch.cumsum` of a bool mask (int64 in PyTorch) is traced as an ONNX CumSum on bool, which ONNX does not
        define: the mask is cast to int64 first, which is what PyTorch does anyway."""
        import torch

        embeddings = self.vision_embeddings
        side = embeddings.num_patches_per_side * embeddings.patch_size
        recorded = []
        hook = embeddings.position_embedding.register_forward_hook(lambda module, args, out: recorded.append(args[0]))
        try:
            with torch.no_grad():
                weight = embeddings.patch_embedding.weight
                embeddings(torch.zeros(1, 3, side, side, dtype=weight.dtype), torch.ones(1, side // embeddings.patch_size,
                           side // embeddings.patch_size, dtype=torch.bool))
        finally:
            hook.remove()
        position_ids = recorded[0][0].clone()
        cls = type(embeddings)
        original = cls.forward

        def forward(module, pixel_values, patch_attention_mask=None):
            patches = module.patch_embedding(pixel_values).flatten(2).transpose(1, 2)
            return patches + module.position_embedding(position_ids)[None]

        cumsum = torch.cumsum

        def cumsum_of_ints(input, *args, **kwargs):
            return cumsum(input.long() if input.dtype == torch.bool else input, *args, **kwargs)

        cls.forward = forward
        torch.cumsum = cumsum_of_ints
        try:
            yield
        finally:
            cls.forward = original
            torch.cumsum = cumsum

    def policy_vocab(self):
        return self.prefix.policy.model.vlm_with_expert.get_vlm_model().text_model.get_input_embeddings().num_embeddings


class PrefixCache:
    """The prefix keys/values as the patched GemmaAttention reads them with use_cache=False (pi0, pi0.5)."""

    def __init__(self, pairs):
        self.pairs = pairs

    def __getitem__(self, layer):
        return self.pairs[layer]

    def get_seq_length(self, layer_idx=0):
        return self.pairs[layer_idx][0].shape[-2]


class PaliGemmaGraphs(FlowGraphs):
    """What pi0 and pi0.5 share: PaliGemma's Gemma run once over the prefix with use_cache=True, its cache handed to
    the action expert. LeRobot 0.4.4's pi0 and pi0.5 need openpi's patched transformers; with stock transformers run
    tools/pi0_transformers_patch.apply() before building the policy (load_policy does)."""

    def setup(self, policy, family):
        config = policy.config
        if config.dtype != "float32":
            raise SystemExit(f"{family}: only dtype float32 is supported by this exporter")
        if config.empty_cameras:
            raise SystemExit(f"{family}: empty_cameras is not supported by this exporter")
        self.config = config
        self.cameras = list(config.image_features)
        self.layers = policy.model.paligemma_with_expert.paligemma.config.text_config.num_hidden_layers
        self.tokens = config.tokenizer_max_length
        self.state_dim = config.robot_state_feature.shape[0]

    @staticmethod
    def run_prefix(model, make_att_2d_masks, prepared, image_masks, tokens, mask, layers):
        """`embed_prefix` and PaliGemma's Gemma with use_cache=True: the pad mask and the flat list of keys/values."""
        import torch

        embs, pad_masks, att_masks = model.embed_prefix(prepared, image_masks, tokens, mask)
        att_2d = make_att_2d_masks(pad_masks, att_masks)
        positions = torch.cumsum(pad_masks, dim=1) - 1
        att_4d = model._prepare_attention_masks_4d(att_2d)
        model.paligemma_with_expert.paligemma.language_model.config._attn_implementation = "eager"
        _, cache = model.paligemma_with_expert.forward(
            attention_mask=att_4d, position_ids=positions, past_key_values=None, inputs_embeds=[embs, None],
            use_cache=True)
        flat = []
        for i in range(layers):
            flat += [cache[i][0], cache[i][1]]
        return pad_masks, flat

    @staticmethod
    def unflatten(rest, layers):
        """The cache and x_t, time back from the velocity graph's flat inputs."""
        cache = PrefixCache([(rest[2 * i], rest[2 * i + 1]) for i in range(layers)])
        return cache, rest[2 * layers], rest[2 * layers + 1]

    def tracing(self):
        return self.bool_reductions_as_ints()

    def policy_vocab(self):
        return self.prefix.policy.model.paligemma_with_expert.paligemma.model.language_model.embed_tokens.num_embeddings


class Pi0Graphs(PaliGemmaGraphs):
    """pi0 split at its key/value cache, as PI0Pytorch.sample_actions runs it: `prefix` runs LeRobot's image
    preparation (`_preprocess_images`: resize with padding to image_resolution, [-1, 1]), state padding
    (`prepare_state`), `embed_prefix` (SigLIP + PaliGemma projector, language embeddings × sqrt(width)) and PaliGemma's
    Gemma once with use_cache=True; `velocity` is LeRobot's `denoise_step` (state token + action/time tokens through
    the action expert, attending the cache). pi0 puts the state in the suffix, so the prefix graph also outputs the
    padded state (`prefix_state`, float32 [batch, max_state_dim]) and the velocity graph takes it back with the cache:
    velocity inputs = prefix outputs + x_t + time, as for SmolVLA."""

    def __init__(self, policy):
        import torch

        from lerobot.policies.pi0.modeling_pi0 import make_att_2d_masks

        self.setup(policy, "pi0")
        model, cameras, layers = policy.model, self.cameras, self.layers
        run_prefix, unflatten = self.run_prefix, self.unflatten

        class Prefix(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.policy = policy

            def forward(self, state, *rest):
                images = rest[: len(cameras)]
                tokens, mask = rest[len(cameras)], rest[len(cameras) + 1]
                batch = {"observation.state": state, **dict(zip(cameras, images))}
                prepared, image_masks = policy._preprocess_images(batch)
                padded_state = policy.prepare_state(batch)
                pad_masks, cache = run_prefix(model, make_att_2d_masks, prepared, image_masks, tokens, mask, layers)
                return tuple([pad_masks, padded_state] + cache)

        class Velocity(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.policy = policy

            def forward(self, pad_masks, state, *rest):
                cache, x_t, time = unflatten(rest, layers)
                return model.denoise_step(state, pad_masks, cache, x_t, time)

        self.prefix = Prefix().eval()
        self.velocity = Velocity().eval()
        self.prefix_inputs = ["observation.state"] + self.cameras + ["observation.language.tokens",
                                                                       "observation.language.attention_mask"]
        self.cache_names = ["prefix_pad_mask", "prefix_state"] + [
            f"past_{kind}.{i}" for i in range(layers) for kind in ("key", "value")]


class Pi05Graphs(PaliGemmaGraphs):
    """pi0.5 split at its key/value cache, as PI05Pytorch.sample_actions runs it. pi0.5 has no state in the model: the
    pre-processor's `pi05_prepare_state_tokenizer_processor_step` writes the discretized normalized state into the
    prompt, so the prefix graph takes cameras + tokens + mask only (`_preprocess_images`, `embed_prefix`, PaliGemma's
    Gemma with use_cache=True) and outputs prefix_pad_mask + the cache. `velocity` is LeRobot's `denoise_step`: the
    action tokens (`action_in_proj` of x_t) through the action expert attending the cache, with the time embedding
    (`time_mlp_in` / `time_mlp_out`) as the adaRMS condition of every expert norm. Velocity inputs = prefix outputs +
    x_t + time, as for SmolVLA and pi0 (adaRMS is part of tools/pi0_transformers_patch.py)."""

    takes_state = False

    def __init__(self, policy):
        import torch

        from lerobot.policies.pi05.modeling_pi05 import make_att_2d_masks

        self.setup(policy, "pi05")
        model, cameras, layers = policy.model, self.cameras, self.layers
        run_prefix, unflatten = self.run_prefix, self.unflatten

        class Prefix(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.policy = policy

            def forward(self, *rest):
                images = rest[: len(cameras)]
                tokens, mask = rest[len(cameras)], rest[len(cameras) + 1]
                prepared, image_masks = policy._preprocess_images(dict(zip(cameras, images)))
                pad_masks, cache = run_prefix(model, make_att_2d_masks, prepared, image_masks, tokens, mask, layers)
                return tuple([pad_masks] + cache)

        class Velocity(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.policy = policy

            def forward(self, pad_masks, *rest):
                cache, x_t, time = unflatten(rest, layers)
                return model.denoise_step(pad_masks, cache, x_t, time)

        self.prefix = Prefix().eval()
        self.velocity = Velocity().eval()
        self.prefix_inputs = self.cameras + ["observation.language.tokens", "observation.language.attention_mask"]
        self.cache_names = ["prefix_pad_mask"] + [f"past_{kind}.{i}" for i in range(layers) for kind in ("key", "value")]


GRAPHS = {"smolvla": SmolVLAGraphs, "pi0": Pi0Graphs, "pi05": Pi05Graphs}


def export_flow_matching(policy, output, opset, atol, samples, log):
    """Writes onnx/prefix.onnx, onnx/velocity.onnx and onnx/model.json for a flow-matching policy; returns the largest
    |ONNX Runtime + numpy Euler − PyTorch predict_action_chunk| over the check's chunks."""
    import numpy as np
    import onnx
    import onnxruntime as ort
    import torch

    graphs = GRAPHS[policy.config.type](policy)
    config = policy.config
    steps = config.num_steps if config.type == "smolvla" else config.num_inference_steps
    specs = graphs.shapes()
    generator = torch.Generator().manual_seed(0)
    observation = graphs.random_observation(1, generator)
    prefix_path = os.path.join(output, "onnx", "prefix.onnx")
    velocity_path = os.path.join(output, "onnx", "velocity.onnx")
    with torch.no_grad(), graphs.tracing():
        torch.onnx.export(
            graphs.prefix, graphs.prefix_args(*observation), prefix_path, input_names=graphs.prefix_inputs,
            output_names=graphs.cache_names, dynamic_axes={n: {0: "batch"} for n in graphs.prefix_inputs + graphs.cache_names},
            opset_version=opset, dynamo=False)
        cache = graphs.prefix(*graphs.prefix_args(*observation))
        x_t = torch.randn(1, config.chunk_size, config.max_action_dim, generator=generator)
        time = torch.full((1,), 0.7)
        names = graphs.cache_names + ["x_t", "time"]
    with torch.no_grad(), graphs.tracing():
        torch.onnx.export(
            graphs.velocity, (*cache, x_t, time), velocity_path, input_names=names, output_names=["velocity"],
            dynamic_axes={n: {0: "batch"} for n in names + ["velocity"]}, opset_version=opset, dynamo=False)
    for path in (prefix_path, velocity_path):
        onnx.checker.check_model(onnx.load(path))

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    prefix = ort.InferenceSession(prefix_path, options, providers=["CPUExecutionProvider"])
    velocity = ort.InferenceSession(velocity_path, options, providers=["CPUExecutionProvider"])
    worst = 0.0
    for batch in (1, 2):
        for _ in range(samples):
            state, images, tokens, mask = graphs.random_observation(batch, generator)
            noise = torch.randn(batch, config.chunk_size, config.max_action_dim, generator=generator)
            # PyTorch as LeRobot runs it: the language unpadded ("longest" within the batch).
            longest = int(mask.sum(dim=1).max())
            observation = {"observation.state": state, **dict(zip(graphs.cameras, images)),
                           "observation.language.tokens": tokens[:, :longest],
                           "observation.language.attention_mask": mask[:, :longest]}
            with torch.no_grad():
                expected = policy.predict_action_chunk(observation, noise=noise.clone()).numpy()
            got = sample_with_onnx(prefix, velocity, graphs, state, images, tokens, mask, noise.numpy(), steps)
            got = got[:, :, : expected.shape[2]]
            worst = max(worst, float(np.abs(got - expected).max()))
    log(f"max |onnxruntime + Euler - pytorch| over {2 * samples} random observations (batch 1 and 2): {worst:.3g}")
    if worst > atol:
        raise SystemExit(f"the exported graphs differ from PyTorch by {worst:.3g} > --atol {atol}")

    package = {
        "format": "lerobot-onnx-package",
        "format_version": 1,
        "policy_type": config.type,
        "graphs": {role: {"file": f"{role}.onnx", "inputs": inputs, "outputs": outputs}
                   for role, (inputs, outputs) in specs.items()},
        "flow_matching": {"num_steps": steps, "chunk_size": config.chunk_size,
                          "max_action_dim": config.max_action_dim, "action_dim": config.action_feature.shape[0],
                          "language_tokens": graphs.tokens},
        "exporter": provenance(opset, worst),
    }
    with open(os.path.join(output, "onnx", "model.json"), "w") as f:
        json.dump(package, f, indent=2)
    sizes = ", ".join(f"{os.path.getsize(p) / 1e6:.2f} MB" for p in (prefix_path, velocity_path))
    log(f"wrote {output} (prefix, velocity graphs: {sizes})")
    return worst


def sample_with_onnx(prefix, velocity, graphs, state, images, tokens, mask, noise, steps):
    """LeRobot's Euler loop (no guidance) around the two graphs, in numpy float32."""
    import numpy as np

    feeds = dict(zip(graphs.prefix_inputs, [t.numpy() for t in graphs.prefix_args(state, images, tokens, mask)]))
    cache = dict(zip(graphs.cache_names, prefix.run(graphs.cache_names, feeds)))
    dt = -1.0 / steps
    x = noise.astype(np.float32)
    for step in range(steps):
        time = np.full((x.shape[0],), 1.0 + step * dt, dtype=np.float32)
        v = velocity.run(["velocity"], {**cache, "x_t": x, "time": time})[0]
        x = x + np.float32(dt) * v
    return x


class DiffusionGraphs:
    """Diffusion Policy split at its global conditioning: `encoder` is LeRobot's `_prepare_global_conditioning` on a
    stacked observation history (cameras stacked as LeRobot's select_action does; the image encoder resizes when
    configured and center-crops, as in eval mode); `denoiser` is the conditional U-Net. The scheduler loop between
    them is the server's."""

    def __init__(self, policy):
        import torch

        config = policy.config
        if config.robot_state_feature is None:
            raise SystemExit("diffusion without observation.state is not supported by this exporter")
        model = policy.diffusion
        self.config = config
        self.cameras = list(config.image_features)
        self.state_dim = config.robot_state_feature.shape[0]
        self.env_dim = config.env_state_feature.shape[0] if config.env_state_feature is not None else None
        self.action_dim = config.action_feature.shape[0]
        cameras = self.cameras
        has_env = self.env_dim is not None

        class Encoder(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.model = model

            def forward(self, state, *rest):
                batch = {"observation.state": state}
                if has_env:
                    batch["observation.environment_state"] = rest[0]
                    rest = rest[1:]
                if cameras:
                    batch["observation.images"] = torch.stack(list(rest), dim=2)
                return model._prepare_global_conditioning(batch)

        class Denoiser(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.unet = model.unet

            def forward(self, sample, timestep, global_cond):
                return self.unet(sample, timestep, global_cond=global_cond)

        self.encoder = Encoder().eval()
        self.denoiser = Denoiser().eval()
        self.encoder_inputs = ["observation.state"] + (["observation.environment_state"] if has_env else []) + cameras
        self.rgb_encoders = []
        if cameras:
            separate = config.use_separate_rgb_encoder_per_camera
            self.rgb_encoders = list(model.rgb_encoder) if separate else [model.rgb_encoder]
        self.resize_shape = None
        if config.resize_shape is not None and cameras:
            if len(config.resize_shape) != 2 or any(int(d) <= 0 for d in config.resize_shape):
                raise SystemExit(f"diffusion: resize_shape {config.resize_shape} must be two positive integers")
            self.resize_shape = [int(d) for d in config.resize_shape]

    @contextlib.contextmanager
    def tracing(self):
        """While exporting, the eval-mode center crop is a fixed slice. torchvision's CenterCrop computes its offsets
        with Python's round() on the image size, which the tracer sees as a tensor; the image size is fixed by the
        config (or by resize_shape), so the offsets are computed here with torchvision's formula
        (round((H − h) / 2), round((W − w) / 2)). With resize_shape, torchvision's antialiased bilinear Resize becomes
        two matrix products (rows, then columns) whose weights are what torchvision's resize gives one-hot images
        (resize_weights): plain MatMul nodes at any opset. The check after export compares against the unpatched
        PyTorch model."""
        import torch

        config = self.config
        patched = [encoder for encoder in self.rgb_encoders if encoder.do_crop or encoder.resize is not None]
        originals = [(encoder.center_crop if encoder.do_crop else None, encoder.resize) for encoder in patched]
        height, width = next(iter(config.image_features.values())).shape[1:] if self.cameras else (0, 0)
        if self.resize_shape is not None:
            rows = resize_weights(height, self.resize_shape[0])
            columns = resize_weights(width, self.resize_shape[1]).t().contiguous()

            class MatrixResize(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.register_buffer("rows", rows)
                    self.register_buffer("columns", columns)

                def forward(self, x):
                    return torch.matmul(torch.matmul(self.rows, x), self.columns)

            height, width = self.resize_shape
        if config.crop_shape is not None:
            crop_h, crop_w = config.crop_shape
            top, left = int(round((height - crop_h) / 2.0)), int(round((width - crop_w) / 2.0))

            class StaticCenterCrop(torch.nn.Module):
                def forward(self, x):
                    return x[..., top:top + crop_h, left:left + crop_w]

        for encoder in patched:
            if encoder.do_crop:
                encoder.center_crop = StaticCenterCrop()
            if encoder.resize is not None:
                encoder.resize = MatrixResize()
        try:
            yield
        finally:
            for encoder, (crop, resize) in zip(patched, originals):
                if crop is not None:
                    encoder.center_crop = crop
                encoder.resize = resize

    def random_history(self, batch, generator):
        """Normalized-looking state, environment state (None without one) and image histories
        `[batch, n_obs_steps, ...]`."""
        import torch

        n = self.config.n_obs_steps
        state = torch.randn(batch, n, self.state_dim, generator=generator)
        env = torch.randn(batch, n, self.env_dim, generator=generator) if self.env_dim is not None else None
        images = [torch.randn([batch, n] + list(self.config.input_features[key].shape), generator=generator)
                  for key in self.cameras]
        return state, env, images

    def settings(self, scheduler):
        """The "diffusion" block of model.json, from the policy's config and its diffusers scheduler."""
        config = self.config
        sc = scheduler.config
        steps = config.num_inference_steps if config.num_inference_steps is not None else sc.num_train_timesteps
        block = {
            "scheduler": config.noise_scheduler_type, "num_train_timesteps": int(sc.num_train_timesteps),
            "num_inference_steps": int(steps), "beta_schedule": sc.beta_schedule, "beta_start": float(sc.beta_start),
            "beta_end": float(sc.beta_end), "clip_sample": bool(sc.clip_sample),
            "clip_sample_range": float(sc.clip_sample_range), "prediction_type": sc.prediction_type,
            "timestep_spacing": sc.timestep_spacing, "steps_offset": int(sc.steps_offset),
            "horizon": config.horizon, "n_obs_steps": config.n_obs_steps, "n_action_steps": config.n_action_steps,
            "action_dim": self.action_dim,
        }
        if self.resize_shape is not None:
            block["resize_shape"] = list(self.resize_shape)
        if config.noise_scheduler_type == "DDPM":
            block["variance_type"] = sc.variance_type
        else:
            block.update({"set_alpha_to_one": bool(sc.set_alpha_to_one), "eta": 0.0})  # LeRobot calls step() with eta 0
        unsupported = []
        if sc.trained_betas is not None:
            unsupported.append("trained_betas")
        if getattr(sc, "thresholding", False):
            unsupported.append("thresholding")
        if getattr(sc, "rescale_betas_zero_snr", False):
            unsupported.append("rescale_betas_zero_snr")
        if sc.timestep_spacing != "leading":
            unsupported.append(f"timestep_spacing={sc.timestep_spacing}")
        if sc.prediction_type not in ("epsilon", "sample"):
            unsupported.append(f"prediction_type={sc.prediction_type}")
        if config.noise_scheduler_type == "DDPM" and block["variance_type"] != "fixed_small":
            unsupported.append(f"variance_type={block['variance_type']}")
        if unsupported:
            raise SystemExit(f"diffusion: scheduler settings not supported by this exporter: {', '.join(unsupported)}")
        return block


def resize_weights(size, target):
    """The [target, size] matrix of torchvision's tensor Resize along one axis (bilinear, antialias=True, half-pixel
    centres): row i holds the weights output pixel i gives the input pixels, read off by resizing one-hot images
    (one batch entry per input pixel; the other axis has length 4 and keeps it: with length 1 torch 2.10's
    antialiased kernel gives every output row the first one's value)."""
    import torch
    import torchvision.transforms.functional as TF

    eye = torch.eye(size, dtype=torch.float32).reshape(size, 1, size, 1).expand(size, 1, size, 4).contiguous()
    resized = TF.resize(eye, [target, 4], interpolation=TF.InterpolationMode.BILINEAR, antialias=True)
    return resized[:, 0, :, 0].t().contiguous()


class NumpyDiffusionScheduler:
    """diffusers' DDPMScheduler / DDIMScheduler steps (leading spacing, fixed_small variance, eta 0) in numpy
    float32, with the same scalar arithmetic; alphas_cumprod is a float64 running product rounded to float32
    (what torch.cumprod does on the CPU). The check's independent reimplementation of what the server runs."""

    def __init__(self, block, betas):
        import numpy as np

        self.block = block
        self.betas = np.asarray(betas, dtype=np.float32)
        alphas = (np.float32(1) - self.betas).astype(np.float32)
        self.alphas_cumprod = np.cumprod(alphas.astype(np.float64)).astype(np.float32)
        n, steps = block["num_train_timesteps"], block["num_inference_steps"]
        self.step_ratio = n // steps
        self.timesteps = [int(t) + block["steps_offset"] for t in (np.arange(0, steps) * self.step_ratio).round()[::-1]]

    def alpha_prev(self, index, t):
        import numpy as np

        ddim = self.block["scheduler"] == "DDIM"
        prev = t - self.step_ratio if ddim else (self.timesteps[index + 1] if index + 1 < len(self.timesteps) else -1)
        if prev >= 0:
            return self.alphas_cumprod[prev]
        if ddim and not self.block["set_alpha_to_one"]:
            return self.alphas_cumprod[0]
        return np.float32(1)

    def step(self, index, model_output, sample, noise):
        import numpy as np

        f = np.float32
        t = self.timesteps[index]
        a_t = self.alphas_cumprod[t]
        a_prev = self.alpha_prev(index, t)
        beta_t = f(1) - a_t
        epsilon = self.block["prediction_type"] == "epsilon"
        if epsilon:
            x0 = (sample - np.sqrt(beta_t) * model_output) / np.sqrt(a_t)
        else:
            x0 = model_output
        if self.block["scheduler"] == "DDIM":
            eps = model_output if epsilon else (sample - np.sqrt(a_t) * x0) / np.sqrt(beta_t)
            if self.block["clip_sample"]:
                r = f(self.block["clip_sample_range"])
                x0 = np.clip(x0, -r, r)
            return (np.sqrt(a_prev) * x0 + np.sqrt(f(1) - a_prev) * eps).astype(np.float32)
        if self.block["clip_sample"]:
            r = f(self.block["clip_sample_range"])
            x0 = np.clip(x0, -r, r)
        current_alpha = a_t / a_prev
        current_beta = f(1) - current_alpha
        beta_prev = f(1) - a_prev
        c0 = (np.sqrt(a_prev) * current_beta) / beta_t
        c1 = np.sqrt(current_alpha) * beta_prev / beta_t
        out = c0 * x0 + c1 * sample
        if t > 0:
            variance = max(beta_prev / beta_t * current_beta, f(1e-20))
            out = out + np.sqrt(variance) * noise
        return out.astype(np.float32)


@contextlib.contextmanager
def fixed_ddpm_noise(tensors):
    """While active, diffusers' DDPM step takes its variance noise from `tensors` (in order) instead of drawing it."""
    import diffusers.schedulers.scheduling_ddpm as ddpm

    original = ddpm.randn_tensor
    queue = list(tensors)

    def replay(shape, generator=None, device=None, dtype=None, **kwargs):
        if not queue:
            raise RuntimeError("diffusion check: more DDPM noise requested than recorded")
        tensor = queue.pop(0)
        if tuple(tensor.shape) != tuple(shape):
            raise RuntimeError(f"diffusion check: recorded noise {tuple(tensor.shape)}, requested {tuple(shape)}")
        return tensor.clone()

    ddpm.randn_tensor = replay
    try:
        yield queue
    finally:
        ddpm.randn_tensor = original


def diffusion_noise(block, batch, generator):
    """The initial sample and one noise tensor per DDPM step with t > 0 (none for DDIM with eta 0)."""
    import torch

    shape = (batch, block["horizon"], block["action_dim"])
    initial = torch.randn(*shape, generator=generator)
    noisy = block["num_inference_steps"] - 1 if block["scheduler"] == "DDPM" else 0
    return initial, [torch.randn(*shape, generator=generator) for _ in range(noisy)]


def torch_generate_actions(policy, state, env, images, initial, step_noise):
    """LeRobot's DiffusionModel.generate_actions on a stacked history, with fixed noise: [batch, n_action_steps, A]."""
    import torch

    batch = {"observation.state": state}
    if env is not None:
        batch["observation.environment_state"] = env
    if images:
        batch["observation.images"] = torch.stack(list(images), dim=2)
    with torch.no_grad(), fixed_ddpm_noise(step_noise) as left:
        actions = policy.diffusion.generate_actions(batch, noise=initial.clone())
    if left:
        raise RuntimeError(f"diffusion check: {len(left)} recorded DDPM noise tensors were not used")
    return actions


def sample_diffusion_with_onnx(encoder, denoiser, graphs, scheduler, state, env, images, initial, step_noise):
    """The scheduler loop in numpy around the two graphs; returns the chunk rows [n_obs_steps−1, +n_action_steps)."""
    import numpy as np

    feeds = dict(zip(graphs.encoder_inputs, [state] + ([env] if env is not None else []) + list(images)))
    cond = encoder.run(["global_cond"], feeds)[0]
    x = initial.astype(np.float32)
    noise = list(step_noise)
    for index, t in enumerate(scheduler.timesteps):
        out = denoiser.run(["model_output"], {"sample": x, "timestep": np.full((x.shape[0],), t, dtype=np.int64),
                                              "global_cond": cond})[0]
        x = scheduler.step(index, out, x, noise.pop(0) if t > 0 and scheduler.block["scheduler"] == "DDPM" else None)
    start = scheduler.block["n_obs_steps"] - 1
    return x[:, start:start + scheduler.block["n_action_steps"]]


def export_diffusion(policy, output, opset, atol, samples, log):
    """Writes onnx/encoder.onnx, onnx/denoiser.onnx and onnx/model.json for a Diffusion Policy; returns the largest
    |ONNX Runtime + numpy scheduler − PyTorch generate_actions| over the check's chunks."""
    import numpy as np
    import onnx
    import onnxruntime as ort
    import torch

    graphs = DiffusionGraphs(policy)
    config = policy.config
    scheduler_torch = policy.diffusion.noise_scheduler
    block = graphs.settings(scheduler_torch)
    generator = torch.Generator().manual_seed(0)
    state, env, images = graphs.random_history(1, generator)
    encoder_inputs = (state,) + ((env,) if env is not None else ()) + tuple(images)
    encoder_path = os.path.join(output, "onnx", "encoder.onnx")
    denoiser_path = os.path.join(output, "onnx", "denoiser.onnx")
    with torch.no_grad(), graphs.tracing():
        torch.onnx.export(
            graphs.encoder, encoder_inputs, encoder_path, input_names=graphs.encoder_inputs,
            output_names=["global_cond"], dynamic_axes={n: {0: "batch"} for n in graphs.encoder_inputs + ["global_cond"]},
            opset_version=opset, dynamo=False)
        cond = graphs.encoder(*encoder_inputs)
        sample = torch.randn(1, config.horizon, graphs.action_dim, generator=generator)
        timestep = torch.full((1,), 7, dtype=torch.int64)
        names = ["sample", "timestep", "global_cond"]
        torch.onnx.export(
            graphs.denoiser, (sample, timestep, cond), denoiser_path, input_names=names, output_names=["model_output"],
            dynamic_axes={n: {0: "batch"} for n in names + ["model_output"]}, opset_version=opset, dynamo=False)
    for path in (encoder_path, denoiser_path):
        onnx.checker.check_model(onnx.load(path))

    scheduler = NumpyDiffusionScheduler(block, scheduler_torch.betas.numpy())
    if not np.array_equal(scheduler.alphas_cumprod, scheduler_torch.alphas_cumprod.numpy()):
        raise SystemExit("diffusion check: the numpy alphas_cumprod differs from diffusers'")
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    encoder = ort.InferenceSession(encoder_path, options, providers=["CPUExecutionProvider"])
    denoiser = ort.InferenceSession(denoiser_path, options, providers=["CPUExecutionProvider"])
    worst = 0.0
    for batch in (1, 2):
        for _ in range(samples):
            state, env, images = graphs.random_history(batch, generator)
            initial, step_noise = diffusion_noise(block, batch, generator)
            expected = torch_generate_actions(policy, state, env, images, initial, step_noise).numpy()
            got = sample_diffusion_with_onnx(encoder, denoiser, graphs, scheduler, state.numpy(),
                                             env.numpy() if env is not None else None,
                                             [i.numpy() for i in images], initial.numpy(), [n.numpy() for n in step_noise])
            if got.shape != expected.shape:
                raise SystemExit(f"diffusion check: ONNX Runtime gave {got.shape}, PyTorch {expected.shape}")
            worst = max(worst, float(np.abs(got - expected).max()))
    log(f"max |onnxruntime + numpy {block['scheduler']} - pytorch| over {2 * samples} random histories (batch 1 and 2): "
        f"{worst:.3g}")
    if worst > atol:
        raise SystemExit(f"the exported graphs differ from PyTorch by {worst:.3g} > --atol {atol}")

    f32 = lambda name, shape: {"name": name, "dtype": "float32", "shape": ["batch"] + list(shape)}  # noqa: E731
    n = config.n_obs_steps
    global_dim = int(cond.shape[1])
    encoder_in = [f32("observation.state", [n, graphs.state_dim])]
    if graphs.env_dim is not None:
        encoder_in.append(f32("observation.environment_state", [n, graphs.env_dim]))
    encoder_in += [f32(key, [n] + list(config.input_features[key].shape)) for key in graphs.cameras]
    chunk = [config.horizon, graphs.action_dim]
    denoiser_in = [f32("sample", chunk), {"name": "timestep", "dtype": "int64", "shape": ["batch"]},
                   f32("global_cond", [global_dim])]
    package = {
        "format": "lerobot-onnx-package",
        "format_version": 1,
        "policy_type": config.type,
        "graphs": {
            "encoder": {"file": "encoder.onnx", "inputs": encoder_in, "outputs": [f32("global_cond", [global_dim])]},
            "denoiser": {"file": "denoiser.onnx", "inputs": denoiser_in, "outputs": [f32("model_output", chunk)]},
        },
        "diffusion": block,
        "exporter": provenance(opset, worst),
    }
    with open(os.path.join(output, "onnx", "model.json"), "w") as f:
        json.dump(package, f, indent=2)
    sizes = ", ".join(f"{os.path.getsize(p) / 1e6:.2f} MB" for p in (encoder_path, denoiser_path))
    log(f"wrote {output} (encoder, denoiser graphs: {sizes})")
    return worst


def feature_shapes(policy):
    shapes = {}
    for key, feature in policy.config.input_features.items():
        shapes[key] = list(feature.shape)
    return shapes


def random_inputs(names, shapes, batch, generator):
    import torch

    return tuple(torch.randn([batch] + shapes[name], generator=generator) for name in names)


def copy_checkpoint(checkpoint_dir, output, keep_weights):
    os.makedirs(os.path.join(output, "onnx"), exist_ok=True)
    for name in sorted(os.listdir(checkpoint_dir)):
        source = os.path.join(checkpoint_dir, name)
        if not os.path.isfile(source) or (name == "model.safetensors" and not keep_weights):
            continue
        if name.endswith(".json") or name.endswith(".safetensors") or name == "README.md":
            shutil.copy2(source, os.path.join(output, name))


def save_tokenizer(checkpoint_dir, output, log):
    """Saves the tokenizer of the pre-processor's tokenizer_processor step (a Hub id, or a folder next to the
    checkpoint) into onnx/tokenizer/, where the Swift runtime looks first: the server then needs no Hub access for it."""
    from transformers import AutoTokenizer

    with open(os.path.join(output, "policy_preprocessor.json")) as f:
        steps = json.load(f).get("steps", [])
    names = [s.get("config", {}).get("tokenizer_name") for s in steps if s.get("registry_name") == "tokenizer_processor"]
    if not names or not names[0]:
        return
    name = names[0]
    local = os.path.join(checkpoint_dir, name)
    tokenizer = AutoTokenizer.from_pretrained(local if os.path.isdir(local) else name)
    target = os.path.join(output, "onnx", "tokenizer")
    tokenizer.save_pretrained(target)
    if not os.path.exists(os.path.join(target, "tokenizer.json")):
        raise SystemExit(f"the tokenizer '{name}' has no fast (tokenizer.json) form; the Swift runtime needs one")
    log(f"saved the tokenizer '{name}' to {target}")


def provenance(opset, worst):
    import lerobot
    import onnx
    import onnxruntime as ort
    import torch

    return {
        "tool": "tools/export_onnx.py",
        "lerobot": getattr(lerobot, "__version__", "unknown"),
        "torch": torch.__version__,
        "onnx": onnx.__version__,
        "onnxruntime": ort.__version__,
        "opset": opset,
        "max_abs_diff": worst,
    }


def export_policy(policy, checkpoint_dir, output, opset=17, atol=1e-4, samples=3, keep_weights=False, log=print):
    """Writes the model package for `policy` (loaded from `checkpoint_dir`) into `output`; returns the max abs diff."""
    import numpy as np
    import onnx
    import onnxruntime as ort
    import torch

    config = policy.config
    if config.type not in SUPPORTED:
        raise SystemExit(f"policy type '{config.type}' is not supported by this exporter (supported: {', '.join(SUPPORTED)})")
    policy = policy.to("cpu").eval()
    copy_checkpoint(checkpoint_dir, output, keep_weights)
    if config.type in FLOW_MATCHING:
        worst = export_flow_matching(policy, output, opset, atol, samples, log)
        save_tokenizer(checkpoint_dir, output, log)
        return worst
    if config.type in DIFFUSION:
        return export_diffusion(policy, output, opset, atol, samples, log)

    wrapper, names = ChunkGraph.build(policy)
    shapes = feature_shapes(policy)
    generator = torch.Generator().manual_seed(0)
    example = random_inputs(names, shapes, 1, generator)
    path = os.path.join(output, "onnx", "chunk.onnx")
    with torch.no_grad():
        torch.onnx.export(
            wrapper, example, path, input_names=names, output_names=["action"],
            dynamic_axes={name: {0: "batch"} for name in names + ["action"]}, opset_version=opset, dynamo=False,
        )
    onnx.checker.check_model(onnx.load(path))

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    worst = 0.0
    for batch in (1, 2):
        for _ in range(samples):
            inputs = random_inputs(names, shapes, batch, generator)
            with torch.no_grad():
                expected = wrapper(*inputs).numpy()
            got = session.run(["action"], {n: t.numpy() for n, t in zip(names, inputs)})[0]
            if got.shape != expected.shape:
                raise SystemExit(f"ONNX Runtime gave {got.shape}, PyTorch {expected.shape} (batch {batch})")
            worst = max(worst, float(np.abs(got - expected).max()))
    log(f"max |onnxruntime - pytorch| over {2 * samples} random inputs (batch 1 and 2): {worst:.3g}")
    if worst > atol:
        raise SystemExit(f"the exported graph differs from PyTorch by {worst:.3g} > --atol {atol}")

    chunk = config.chunk_size
    action_dim = config.output_features["action"].shape[0]
    package = {
        "format": "lerobot-onnx-package",
        "format_version": 1,
        "policy_type": config.type,
        "graphs": {
            "chunk": {
                "file": "chunk.onnx",
                "inputs": [{"name": n, "dtype": "float32", "shape": ["batch"] + shapes[n]} for n in names],
                "outputs": [{"name": "action", "dtype": "float32", "shape": ["batch", chunk, action_dim]}],
            }
        },
        "exporter": provenance(opset, worst),
    }
    with open(os.path.join(output, "onnx", "model.json"), "w") as f:
        json.dump(package, f, indent=2)
    log(f"wrote {output} ({os.path.getsize(path) / 1e6:.2f} MB graph)")
    return worst


def load_policy(path):
    from lerobot.configs.policies import PreTrainedConfig
    from lerobot.policies.factory import get_policy_class

    if not os.path.isdir(path):
        from huggingface_hub import snapshot_download

        path = snapshot_download(path)
    config = PreTrainedConfig.from_pretrained(path)
    if config.type not in SUPPORTED:
        raise SystemExit(f"policy type '{config.type}' is not supported by this exporter (supported: {', '.join(SUPPORTED)})")
    config.device = "cpu"
    if config.type in ("pi0", "pi05"):
        import pi0_transformers_patch

        pi0_transformers_patch.apply()
    policy = get_policy_class(config.type).from_pretrained(path, config=config)
    return policy, path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policy.path", dest="policy_path", required=True, help="checkpoint directory or Hub repo id")
    parser.add_argument("--output", required=True, help="model package directory to write")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--atol", type=float, default=1e-4, help="largest accepted |onnxruntime - pytorch|")
    parser.add_argument("--samples", type=int, default=3, help="random inputs per batch size for the check")
    parser.add_argument("--keep-weights", action="store_true", help="also copy model.safetensors")
    args = parser.parse_args(argv)
    policy, path = load_policy(args.policy_path)
    export_policy(policy, path, args.output, args.opset, args.atol, args.samples, args.keep_weights)


if __name__ == "__main__":
    sys.exit(main())
