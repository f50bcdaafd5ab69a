"""A test CA and leaf certificates made with the openssl command, and a look at the certificate a server presents."""
import os
import secrets
import socket
import ssl
import subprocess
from pathlib import Path


class CertificateAuthority:
    def __init__(self, directory: Path):
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.ca_file = self.dir / "ca.pem"
        self._openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                      "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=slurmhub e2e CA")

    def _openssl(self, *arguments):
        subprocess.run(["openssl", *arguments], cwd=self.dir, check=True, capture_output=True)

    def leaf(self, name, names=("127.0.0.1", "localhost")):
        """Writes <name>.pem and <name>.key (0600); returns (cert path, key path, serial as int)."""
        alternatives = ",".join(f"IP:{n}" if n[0].isdigit() else f"DNS:{n}" for n in names)
        (self.dir / f"{name}.ext").write_text(f"subjectAltName={alternatives}\n")
        serial = secrets.randbits(62) | (1 << 60)
        self._openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f"{name}.key",
                      "-out", f"{name}.csr", "-subj", f"/CN={names[0]}")
        self._openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                      "-set_serial", str(serial), "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext")
        os.chmod(self.dir / f"{name}.key", 0o600)
        return self.dir / f"{name}.pem", self.dir / f"{name}.key", serial


def install(cert, key, live_cert: Path, live_key: Path):
    """Puts a pair in place the way certbot's deploy hooks do: new files renamed over the old ones."""
    for source, target in ((cert, live_cert), (key, live_key)):
        temporary = target.with_suffix(".new")
        temporary.write_bytes(Path(source).read_bytes())
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)


def presented_serial(port, ca_file, host="127.0.0.1"):
    """The serial number of the certificate a new TLS connection to host:port gets (verified against the CA)."""
    context = ssl.create_default_context(cafile=str(ca_file))
    with socket.create_connection((host, port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    text = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-serial"], input=der,
                          capture_output=True, check=True).stdout.decode()
    return int(text.strip().split("=", 1)[1], 16)
