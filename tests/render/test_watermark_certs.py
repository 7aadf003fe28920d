"""Invisible watermark robustness and the development signing certificates."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from studio.render.watermark import embed, payload_for, verify


def jpeg(rgb: np.ndarray, q: int) -> np.ndarray:
    b = io.BytesIO()
    Image.fromarray(rgb).save(b, "JPEG", quality=q)
    return np.asarray(Image.open(b).convert("RGB"))


@pytest.mark.parametrize("export_id", ["tl-1:reels", "tl-2:feed", "tl-3:square", "x"])
def test_watermark_survives_jpeg_q80_and_is_invisible(portrait, export_id):
    marked = embed(portrait, payload_for(export_id))
    psnr = 10 * np.log10(255**2 / np.mean((marked.astype(float) - portrait) ** 2))
    assert psnr > 40
    got = verify(jpeg(marked, 80), export_id)
    assert got["found"] and got["matches_id"], got
    assert not verify(jpeg(marked, 80), "another-export")["matches_id"]


def test_unmarked_image_has_no_watermark(portrait):
    assert not verify(portrait)["found"]
    assert not verify(jpeg(portrait, 80))["found"]


def test_dev_certificate_is_a_labelled_ca_chain(studio_home):
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    from studio.core.settings import config_dir
    from studio.render.certs import DEV_LABEL, load_identity

    ident = load_identity(config_dir())
    assert ident.development and (config_dir() / "c2pa-dev-key.pem").stat().st_mode & 0o077 == 0
    leaf, ca = x509.load_pem_x509_certificates(ident.chain_pem)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert leaf.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert DEV_LABEL in leaf.subject.rfc4514_string() and leaf.issuer == ca.subject
    assert load_identity(config_dir()).chain_pem == ident.chain_pem  # made once, then reused
