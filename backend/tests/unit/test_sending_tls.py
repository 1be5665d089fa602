"""A delivery over TLS connects to the address the safe-URL check approved, yet presents and
checks the channel's host name: the receiver sees it as the TLS server name (SNI), and a
certificate that does not verify is a retried failure, not a delivery."""

import asyncio
import datetime
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.config import Settings
from app.services.notifications.sending import Job, new_client, send


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


async def test_tls_delivery_names_the_host_and_refuses_an_untrusted_certificate(
        tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    server_names: list[str | None] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: server_names.append(name)  # type: ignore[assignment,func-returns-value]

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(answer, "localhost", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    settings = Settings(_env_file=None, app_env="development")  # type: ignore[call-arg]
    client = new_client(settings)
    try:
        async with server:
            outcome = await send(client, settings, Job(
                "d-tls", 1, "test", "webhook", f"https://localhost:{port}/hook", None, "{}", 0))
    finally:
        await client.close()
    assert server_names == ["localhost"]  # connected to an address, introduced as the name
    assert not outcome.delivered and outcome.retry
    assert outcome.error is not None and "certificate" in outcome.error.lower()
