"""`studio doctor` rows for the newer models: FLUX.2 [klein], Z-Image-Turbo, Wan 2.2 TI2V-5B.

Each row runs the model's real diffusers transformer class once, tiny and random (so torch and
diffusers can run it here), checks that the pipeline classes the studio calls exist in the
installed diffusers (and `ftfy` for Wan), and says whether the weights are installed and how they
would run on this machine (device, precision, offload from the free GPU memory).
"""

from __future__ import annotations

from typing import Any


def _classes(*names: str) -> None:
    import diffusers

    missing = [n for n in names if not hasattr(diffusers, n)]
    if missing:
        raise RuntimeError(f"diffusers {diffusers.__version__} lacks {', '.join(missing)} (reinstall: `make install`)")


def _installed(model_id: str, vae_float32: bool = False) -> str:
    from pipelines.device import plan_model
    from studio.core.models import ModelStore
    from studio.core.settings import Settings

    settings = Settings.load()
    store = ModelStore(settings)
    info = store.locate(model_id)
    if info.status != "present":
        return f"weights {info.status} (`studio models download {model_id}`)"
    plan = plan_model(info.entry.vram_gb, settings.device, settings.low_vram, vae_float32=vae_float32)
    return f"weights at {info.path} ({info.where}); here: {plan.device} {plan.dtype}, {plan.reason}"


def _no_grad(fn: Any) -> Any:
    import torch

    with torch.no_grad():
        return fn()


def check_flux2_klein() -> str:
    import torch
    from diffusers import Flux2Transformer2DModel

    _classes("Flux2KleinPipeline", "Flux2KleinInpaintPipeline")
    torch.manual_seed(0)
    model = Flux2Transformer2DModel(patch_size=1, in_channels=4, num_layers=1, num_single_layers=1,
                                    attention_head_dim=16, num_attention_heads=2, joint_attention_dim=16,
                                    timestep_guidance_channels=256, axes_dims_rope=[4, 4, 4, 4], guidance_embeds=False)
    img, txt = 16, 8
    out = _no_grad(lambda: model(
        hidden_states=torch.randn(1, img, 4), encoder_hidden_states=torch.randn(1, txt, 16),
        timestep=torch.tensor([0.5]), img_ids=torch.cartesian_prod(torch.arange(1), torch.arange(4), torch.arange(4),
                                                                   torch.arange(1))[None],
        txt_ids=torch.cartesian_prod(torch.arange(1), torch.arange(1), torch.arange(1), torch.arange(txt))[None],
        guidance=None, return_dict=False)[0])
    if tuple(out.shape) != (1, img, 4) or not torch.isfinite(out).all():
        raise RuntimeError(f"tiny transformer gave {tuple(out.shape)}")
    return f"tiny Flux2Transformer2DModel ok; {_installed('flux2-klein-4b')}"


def check_z_image() -> str:
    import torch
    from diffusers import ZImageTransformer2DModel

    _classes("ZImagePipeline", "ZImageImg2ImgPipeline", "ZImageInpaintPipeline")
    torch.manual_seed(0)
    model = ZImageTransformer2DModel(all_patch_size=(2,), all_f_patch_size=(1,), in_channels=16, dim=32, n_layers=1,
                                     n_refiner_layers=1, n_heads=2, n_kv_heads=2, norm_eps=1e-5, qk_norm=True,
                                     cap_feat_dim=16, rope_theta=256.0, t_scale=1000.0, axes_dims=[8, 4, 4],
                                     axes_lens=[256, 32, 32])
    with torch.no_grad():
        model.x_pad_token.fill_(1.0)
        model.cap_pad_token.fill_(1.0)
    out = _no_grad(lambda: model([torch.randn(16, 1, 8, 8)], torch.tensor([0.5]), [torch.randn(8, 16)],
                                 return_dict=False)[0])
    if tuple(out[0].shape) != (16, 1, 8, 8) or not torch.isfinite(out[0]).all():
        raise RuntimeError(f"tiny transformer gave {tuple(out[0].shape)}")
    return f"tiny ZImageTransformer2DModel ok; {_installed('z-image-turbo')}"


def check_wan() -> str:
    import torch
    from diffusers import WanTransformer3DModel
    from diffusers.pipelines.wan.pipeline_wan_i2v import prompt_clean

    _classes("WanImageToVideoPipeline")
    try:
        cleaned = prompt_clean("she  turns &amp; smiles")  # needs ftfy, which diffusers does not declare
    except NameError as e:
        raise RuntimeError("the `ftfy` package is missing (Wan's prompt cleaning); reinstall: `make install`") from e
    torch.manual_seed(0)
    model = WanTransformer3DModel(patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=48,
                                  out_channels=48, text_dim=32, freq_dim=256, ffn_dim=32, num_layers=1,
                                  cross_attn_norm=True, qk_norm="rms_norm_across_heads", rope_max_seq_len=32)
    out = _no_grad(lambda: model(hidden_states=torch.randn(1, 48, 2, 4, 4), timestep=torch.tensor([500]),
                                 encoder_hidden_states=torch.randn(1, 8, 32), return_dict=False)[0])
    if tuple(out.shape) != (1, 48, 2, 4, 4) or not torch.isfinite(out).all():
        raise RuntimeError(f"tiny transformer gave {tuple(out.shape)}")
    return f"prompt cleaning ok ('{cleaned}'), tiny WanTransformer3DModel ok; {_installed('wan2.2-ti2v-5b', True)}"
