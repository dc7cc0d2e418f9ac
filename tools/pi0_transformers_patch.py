"""Makes stock `transformers` (tried: 4.57.6) behave as the patched one LeRobot's pi0 and pi0.5 are written against.

LeRobot 0.4.4's `lerobot/policies/pi0/modeling_pi0.py` expects the "transformers_replace" files of openpi
(src/openpi/models_pytorch/transformers_replace, copied over transformers 4.53.2; LeRobot's `[pi]` extra installs a
transformers branch carrying the same files). Against transformers 4.53.2 those files change, for what pi0 runs:

  models/siglip/check.py         new: check_whether_transformers_replace_is_installed_correctly(), which PI0Pytorch
                                 calls in __init__ (ImportError -> ValueError "An incorrect transformer version ...").
  models/gemma/modeling_gemma.py
    GemmaRMSNorm.forward(x, cond=None) returns (normed, gate): with no `cond` (or no adaRMS `dense` layer) the
                                 standard Gemma RMSNorm `x * rsqrt(mean(x^2) + eps) * (1 + weight)` and gate None;
                                 with `cond` the adaRMS modulation (pi0.5's action expert, below).
    _gated_residual(x, y, gate)  new: x + y when gate is None, x + y * gate otherwise.
    GemmaDecoderLayer.forward    takes adarms_cond; unpacks the norms' (out, gate); residuals via _gated_residual.
    GemmaAttention.forward       with a cache and use_cache=False the cached keys/values are CONCATENATED in front
                                 of the new ones without updating the cache (stock: cache.update(), which appends to
                                 the prefix cache on every denoising step).
    GemmaModel.forward           takes adarms_cond; does NOT multiply the input embeddings by sqrt(hidden_size)
                                 (stock does; pi0 scales the language embeddings itself in embed_prefix); final norm
                                 unpacked; (bfloat16 cast of the inputs when the layers are bfloat16).
    GemmaConfig                  use_adarms / adarms_cond_dim fields (stock keeps unknown kwargs as attributes).
  models/paligemma/modeling_paligemma.py
    PaliGemmaModel.get_image_features no longer divides by sqrt(text hidden_size).
  models/siglip/modeling_siglip.py  only a bfloat16 cast (no-op in float32).

pi0 builds both Gemma stacks with use_adarms=[False, False] (PI0Pytorch.__init__) and passes adarms_cond=None
everywhere at inference (embed_suffix returns adarms_cond = None; PaliGemmaWithExpertModel.forward defaults to
[None, None]), so every norm takes the plain-RMSNorm branch and every gate is None: the patched layers reduce to the
standard ones plus the three changes that matter, which `apply()` installs on the stock classes: no embedding
normalizer, image features not divided, cache concatenation without update.

pi0.5 (lerobot/policies/pi05/modeling_pi05.py) builds the action expert with use_adarms=True and
adarms_cond_dim = its width, and passes the time embedding (time_mlp_in -> swish -> time_mlp_out -> swish, [batch,
width]) as `adarms_cond` to the expert's GemmaModel.forward, which hands it to every norm of every layer and to the
final norm. An adaptive norm (a GemmaRMSNorm built with cond_dim) has no `weight`; it has `dense` = Linear(cond_dim,
3 * dim) with bias (weight zero-initialised). With cond given it computes
    m = dense(cond)  (unsqueezed to [batch, 1, 3 * dim] for a [batch, seq, dim] input)
    scale, shift, gate = the three consecutive dim-wide thirds of m (torch.chunk order)
    out = x * rsqrt(mean(x^2) + eps) * (1 + scale) + shift,   returned with `gate`
and the decoder layer's residuals become x + y * gate (_gated_residual). `apply()` installs that too: the adaptive
norms are made in GemmaDecoderLayer.__init__ / GemmaModel.__init__ when config.use_adarms is set (the stock norm's
weight removed, `dense` added, so state-dict keys are the patched ones), GemmaRMSNorm.forward takes the cond branch,
and _init_weights leaves weight-less norms alone. Checked against transformers 4.53.2 + openpi's files on the tiny
pi0.5 of Tests/Fixtures/pi05-tiny (docs/pi0-export.md).

Float32 only (the patched norm's float32 arithmetic equals stock's; the bfloat16 casts are not reproduced).

Used by tools/export_onnx.py for pi0 and pi05 and by tools/make_pi0_fixture.py / tools/make_pi05_fixture.py; see
docs/pi0-export.md.
"""
import sys
import types

_APPLIED = False


def apply():
    """Installs the patch on the stock classes (idempotent, process-wide, as the patched files would be)."""
    global _APPLIED
    if _APPLIED:
        return
    import torch
    import transformers
    from transformers.modeling_outputs import BaseModelOutputWithPast
    from transformers.models.gemma import modeling_gemma as mg
    from transformers.models.paligemma import modeling_paligemma as mp

    # models/siglip/check.py (openpi's compares transformers.__version__ with "4.53.2"; this patch is the replacement).
    check = types.ModuleType("transformers.models.siglip.check")
    check.check_whether_transformers_replace_is_installed_correctly = lambda: True
    sys.modules["transformers.models.siglip.check"] = check
    transformers.models.siglip.check = check

    def _gated_residual(x, y, gate):
        if x is None and y is None:
            return None
        if x is None or y is None:
            return x if x is not None else y
        if gate is None:
            return x + y
        return x + y * gate

    mg._gated_residual = _gated_residual
    stock_norm = mg.GemmaRMSNorm.forward
    stock_norm_repr = mg.GemmaRMSNorm.extra_repr
    stock_layer_init = mg.GemmaDecoderLayer.__init__
    stock_model_init = mg.GemmaModel.__init__
    stock_init_weights = mg.GemmaPreTrainedModel._init_weights

    def make_adaptive(norm, cond_dim):
        """Turns a stock GemmaRMSNorm into the patched adaptive one: no weight, a dense (cond -> scale|shift|gate)."""
        dim = norm.weight.shape[0]
        del norm.weight
        norm.cond_dim = cond_dim
        norm.dense = torch.nn.Linear(cond_dim, 3 * dim, bias=True)
        torch.nn.init.zeros_(norm.dense.weight)

    def adarms_dim(config):
        if not getattr(config, "use_adarms", False):
            return None
        return getattr(config, "adarms_cond_dim", None) or config.hidden_size

    def layer_init(self, config, layer_idx):
        stock_layer_init(self, config, layer_idx)
        cond_dim = adarms_dim(config)
        if cond_dim is not None:
            make_adaptive(self.input_layernorm, cond_dim)
            make_adaptive(self.post_attention_layernorm, cond_dim)

    def model_init(self, config):
        stock_model_init(self, config)
        cond_dim = adarms_dim(config)
        if cond_dim is not None:
            make_adaptive(self.norm, cond_dim)

    def init_weights(self, module):
        if isinstance(module, mg.GemmaRMSNorm) and getattr(module, "dense", None) is not None:
            return  # no weight to set; its dense layer is initialised as a Linear
        stock_init_weights(self, module)

    def norm_repr(self):
        if getattr(self, "dense", None) is None:
            return stock_norm_repr(self)
        return f"adaptive, dim={self.dense.out_features // 3}, cond_dim={self.cond_dim}, eps={self.eps}"

    def rms_norm(self, x, cond=None):
        if x.dtype != torch.float32:
            raise NotImplementedError("this patch reproduces the float32 path only")
        dense = getattr(self, "dense", None)
        if cond is None or dense is None:
            if dense is not None:
                raise ValueError("an adaptive RMSNorm has no weight: it needs its cond")
            return stock_norm(self, x), None
        if cond.shape[-1] != self.cond_dim:
            raise ValueError(f"adaptive RMSNorm: cond has {cond.shape[-1]} features, expected {self.cond_dim}")
        modulation = dense(cond)
        if x.dim() == 3:
            modulation = modulation[:, None, :]
        scale, shift, gate = modulation.split(modulation.shape[-1] // 3, dim=-1)
        normed = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return normed * (1 + scale) + shift, gate

    def attention(self, hidden_states, position_embeddings, attention_mask, past_key_values=None,
                  cache_position=None, use_cache=False, **kwargs):
        input_shape = hidden_states.shape[:-1]
        hidden_shape = (*input_shape, -1, self.head_dim)
        query_states = self.q_proj(hidden_states).view(hidden_shape).transpose(1, 2)
        key_states = self.k_proj(hidden_states).view(hidden_shape).transpose(1, 2)
        value_states = self.v_proj(hidden_states).view(hidden_shape).transpose(1, 2)
        cos, sin = position_embeddings
        query_states, key_states = mg.apply_rotary_pos_emb(query_states, key_states, cos, sin)
        if past_key_values is not None:
            if use_cache:
                cache_kwargs = {"sin": sin, "cos": cos, "cache_position": cache_position}
                key_states, value_states = past_key_values.update(key_states, value_states, self.layer_idx, cache_kwargs)
            else:
                key_states = torch.cat([past_key_values[self.layer_idx][0], key_states], dim=2)
                value_states = torch.cat([past_key_values[self.layer_idx][1], value_states], dim=2)
        interface = mg.eager_attention_forward
        if self.config._attn_implementation != "eager":
            interface = mg.ALL_ATTENTION_FUNCTIONS[self.config._attn_implementation]
        kwargs.pop("position_ids", None)
        attn_output, attn_weights = interface(
            self, query_states, key_states, value_states, attention_mask,
            dropout=0.0 if not self.training else self.attention_dropout, scaling=self.scaling, **kwargs)
        attn_output = attn_output.reshape(*input_shape, -1).contiguous()
        return self.o_proj(attn_output), attn_weights

    def decoder_layer(self, hidden_states, attention_mask=None, position_ids=None, past_key_values=None,
                      use_cache=False, cache_position=None, position_embeddings=None, adarms_cond=None, **kwargs):
        residual = hidden_states
        hidden_states, gate = self.input_layernorm(hidden_states, adarms_cond)
        hidden_states, _ = self.self_attn(
            hidden_states=hidden_states, attention_mask=attention_mask, position_ids=position_ids,
            past_key_values=past_key_values, use_cache=use_cache, cache_position=cache_position,
            position_embeddings=position_embeddings, **kwargs)
        hidden_states = _gated_residual(residual, hidden_states, gate)
        residual = hidden_states
        hidden_states, gate = self.post_attention_layernorm(hidden_states, adarms_cond)
        hidden_states = self.mlp(hidden_states)
        return _gated_residual(residual, hidden_states, gate)

    def model_forward(self, input_ids=None, attention_mask=None, position_ids=None, past_key_values=None,
                      inputs_embeds=None, use_cache=None, cache_position=None, adarms_cond=None, **kwargs):
        if (input_ids is None) ^ (inputs_embeds is not None):
            raise ValueError("You must specify exactly one of input_ids or inputs_embeds")
        if inputs_embeds is None:
            inputs_embeds = self.embed_tokens(input_ids)
        use_cache = use_cache if use_cache is not None else self.config.use_cache
        if use_cache and past_key_values is None:
            past_key_values = mg.DynamicCache(config=self.config)
        if cache_position is None:
            past_seen_tokens = past_key_values.get_seq_length() if past_key_values is not None else 0
            cache_position = torch.arange(
                past_seen_tokens, past_seen_tokens + inputs_embeds.shape[1], device=inputs_embeds.device)
        if position_ids is None:
            position_ids = cache_position.unsqueeze(0)
        causal_mask = mg.create_causal_mask(
            config=self.config, input_embeds=inputs_embeds, attention_mask=attention_mask,
            cache_position=cache_position, past_key_values=past_key_values, position_ids=position_ids)
        hidden_states = inputs_embeds
        position_embeddings = self.rotary_emb(hidden_states, position_ids)
        # The patch: no `hidden_states * sqrt(hidden_size)` here.
        for layer in self.layers[: self.config.num_hidden_layers]:
            hidden_states = layer(
                hidden_states, attention_mask=causal_mask, position_ids=position_ids, past_key_values=past_key_values,
                use_cache=use_cache, cache_position=cache_position, position_embeddings=position_embeddings,
                adarms_cond=adarms_cond, **kwargs)
        hidden_states, _ = self.norm(hidden_states, adarms_cond)
        return BaseModelOutputWithPast(last_hidden_state=hidden_states,
                                       past_key_values=past_key_values if use_cache else None)

    def image_features(self, pixel_values):
        image_outputs = self.vision_tower(pixel_values)
        return self.multi_modal_projector(image_outputs.last_hidden_state)  # the patch: not divided by sqrt(hidden)

    mg.GemmaRMSNorm.forward = rms_norm
    mg.GemmaRMSNorm.extra_repr = norm_repr
    mg.GemmaDecoderLayer.__init__ = layer_init
    mg.GemmaModel.__init__ = model_init
    mg.GemmaPreTrainedModel._init_weights = init_weights
    mg.GemmaAttention.forward = attention
    mg.GemmaDecoderLayer.forward = decoder_layer
    mg.GemmaModel.forward = model_forward
    mp.PaliGemmaModel.get_image_features = image_features
    _APPLIED = True
