"""HTTPS upstreams: the certificate is verified against the trust store (SSL_CERT_FILE here,
the system's in production) for the host name in the URL; a failure is a clear error."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from lockgate.errors import APIConnectionError
from lockgate.transport import EgressPolicy, HttpTransport, Timeouts, UpstreamRequest


@dataclass
class TlsServer:
    port: int
    ca_file: Path


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1 (it is its own CA)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lockgate test upstream")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
async def tls_server(tmp_path: Path) -> AsyncIterator[TlsServer]:
    cert_file, key_file = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)

    async def echo(request: web.Request) -> web.Response:
        return web.json_response({"host": request.host, "body": (await request.read()).decode()})

    app = web.Application()
    app.router.add_post("/v1/echo", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield TlsServer(port, cert_file)
    finally:
        await runner.cleanup()


async def test_verified_https_with_the_host_name(
    tls_server: TlsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_server.ca_file))
    transport = HttpTransport(EgressPolicy(allow_any_host=True))
    try:
        url = f"https://localhost:{tls_server.port}/v1/echo"
        for _ in range(2):  # the second one reuses the pooled TLS connection
            reply = await transport.send(UpstreamRequest("POST", url, {}, b"hi"), Timeouts())
            assert reply.status == 200
            assert reply.body == b'{"host": "localhost:%d", "body": "hi"}' % tls_server.port
        assert transport.open_connections() == 1
    finally:
        await transport.aclose()


async def test_untrusted_certificate_is_a_clear_error(tls_server: TlsServer) -> None:
    transport = HttpTransport(EgressPolicy(allow_any_host=True))  # the system trust store
    try:
        url = f"https://localhost:{tls_server.port}/v1/echo"
        with pytest.raises(APIConnectionError, match="TLS with localhost failed"):
            await transport.send(UpstreamRequest("POST", url, {}, b"hi"), Timeouts())
    finally:
        await transport.aclose()


class _PointsAtLoopback:
    async def resolve(self, host: str, port: int) -> list[str]:
        return ["127.0.0.1"]


async def test_certificate_for_another_name_is_refused(
    tls_server: TlsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Trusted certificate, right address, wrong name: the name in the URL is what is checked.
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_server.ca_file))
    transport = HttpTransport(EgressPolicy(allow_any_host=True), dns_resolver=_PointsAtLoopback())
    try:
        url = f"https://api.example.test:{tls_server.port}/v1/echo"
        with pytest.raises(APIConnectionError, match="TLS with api.example.test failed"):
            await transport.send(UpstreamRequest("POST", url, {}, b"hi"), Timeouts())
    finally:
        await transport.aclose()
