"""Synthetic alerts for drills: realistic, and the same for the same seed."""

import random
from dataclasses import dataclass, field

from app.domain.severity import Severity, severity_from_alert

SCENARIOS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("HighLatency", "p99 latency above {n}s", "p99 latency is {v}s over the last 5 minutes on {host}",
     ("critical", "error", "warning")),
    ("ErrorRate", "5xx rate above {n}%", "5xx ratio {v}% for 10m on {host}", ("critical", "error")),
    ("DiskFull", "Disk {p}% full on {host}", "Free space below {n} GiB on /var/lib on {host}",
     ("error", "warning")),
    ("PodCrashLooping", "Pod restarting repeatedly", "{host} restarted {p} times in 15 minutes",
     ("warning", "error")),
    ("CertificateExpiry", "TLS certificate expires in {n} days", "Certificate for {host} expires soon",
     ("info", "warning")),
    ("QueueBacklog", "Consumer lag above {p}k messages", "Lag growing for 20m on {host}",
     ("warning", "error")),
)


@dataclass(frozen=True)
class SyntheticAlert:
    fingerprint: str
    alertname: str
    service: str
    severity_word: str
    summary: str
    description: str
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        return severity_from_alert(self.severity_word)


def generate(count: int, seed: int, services: list[str]) -> list[SyntheticAlert]:
    """`count` alerts spread over `services`; about one in five repeats an earlier one, as
    real monitoring re-sends a firing alert, so intake has something to deduplicate."""
    rng = random.Random(seed)
    alerts: list[SyntheticAlert] = []
    for _ in range(count):
        if alerts and rng.random() < 0.2:
            alerts.append(rng.choice(alerts))
            continue
        name, summary, description, words = rng.choice(SCENARIOS)
        service = rng.choice(services)
        host = f"{service}-{rng.randrange(1, 9)}.prod.internal"
        values = {"n": rng.randrange(2, 30), "v": round(rng.uniform(2.5, 9.5), 1),
                  "p": rng.randrange(80, 99), "host": host}
        word = rng.choice(words)
        fingerprint = f"{rng.getrandbits(64):016x}"
        alerts.append(SyntheticAlert(
            fingerprint=fingerprint,
            alertname=f"{service.title().replace('-', '')}{name}",
            service=service,
            severity_word=word,
            summary=f"{service}: {summary.format(**values)}",
            description=description.format(**values),
            labels={"alertname": name, "service": service, "severity": word, "instance": host},
        ))
    return alerts
