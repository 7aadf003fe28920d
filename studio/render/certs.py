"""Signing certificates for C2PA manifests.

The user configures a real certificate in settings (`c2pa_cert`, `c2pa_key`: PEM files). Until
then the studio makes a local development CA and an ES256 signing certificate on first use and
keeps them in the config folder. C2PA validators reject a bare self-signed leaf, hence the CA;
the names say plainly that nobody should trust them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

DEV_LABEL = "Persona Studio local development certificate — not trusted"


@dataclass(frozen=True)
class SigningIdentity:
    """A PEM certificate chain (leaf first, then CA) and the leaf's PEM private key."""

    chain_pem: bytes
    key_pem: bytes
    development: bool
    source: str


def _name(common: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Persona Studio (local, untrusted)"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEV_LABEL),
        ]
    )


def make_dev_identity(folder: Path) -> SigningIdentity:
    """Create a development CA + ES256 leaf in `folder` (c2pa-dev-*.pem) and return it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    now = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Persona Studio Local Development CA — not trusted")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("Persona Studio local signer — not trusted"))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True
        )
        # C2PA accepts emailProtection or documentSigning for signers; we set both.
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.EMAIL_PROTECTION, x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    chain = leaf.public_bytes(pem) + ca.public_bytes(pem)
    key = leaf_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "c2pa-dev-chain.pem").write_bytes(chain)
    (folder / "c2pa-dev-ca.pem").write_bytes(ca.public_bytes(pem))
    key_file = folder / "c2pa-dev-key.pem"
    key_file.write_bytes(key)
    key_file.chmod(0o600)
    (folder / "c2pa-dev-README.txt").write_text(
        f"{DEV_LABEL}.\nMade by Persona Studio to sign exports until you configure your own "
        "certificate (settings: c2pa_cert, c2pa_key). Validators will show these exports as "
        "signed by an untrusted issuer.\n",
        "utf-8",
    )
    return SigningIdentity(chain, key, True, str(folder / "c2pa-dev-chain.pem"))


def load_identity(config_folder: Path, cert: str | None = None, key: str | None = None) -> SigningIdentity:
    """The user's certificate if configured, else the development one (made on first use)."""
    from studio.core.errors import BadInput

    if cert or key:
        if not (cert and key):
            raise BadInput("Set both c2pa_cert and c2pa_key in settings (PEM files), or neither.")
        c, k = Path(cert).expanduser(), Path(key).expanduser()
        for p in (c, k):
            if not p.is_file():
                raise BadInput(f"Signing file '{p}' does not exist; fix c2pa_cert/c2pa_key in settings.")
        return SigningIdentity(c.read_bytes(), k.read_bytes(), False, str(c))
    chain = config_folder / "c2pa-dev-chain.pem"
    keyf = config_folder / "c2pa-dev-key.pem"
    if chain.is_file() and keyf.is_file():
        return SigningIdentity(chain.read_bytes(), keyf.read_bytes(), True, str(chain))
    return make_dev_identity(config_folder)
