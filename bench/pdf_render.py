"""Time to render a certificate PDF: mean, p50 and p95 over N renders (target < 100 ms).

    /tmp/venv/bin/python bench/pdf_render.py [N]

A worst case for layout: a long name and a 160-character title that wrap and shrink, three
levels and a network. The first render, which prepares the fonts once per process, is timed
apart.

With the app's modules imported (Flask, SQLAlchemy…), a full garbage collection of the
process takes tens of milliseconds and falls on about one render in seven: it is the p95.
`--gc-freeze` moves what is loaded at start out of the collector's way (`gc.freeze()`, as a
server may do after start-up) to show the render alone.
"""

import argparse
import gc
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms.certificates.pdf import CertificateDocument, render_certificate_pdf  # noqa: E402

TITLE = (
    "Accompagner les structures de l’économie sociale et solidaire : modèles économiques, "
    "hybridation des ressources, coopérations territoriales et mesure d’impact social"
)
DOCUMENT = CertificateDocument(
    learner_name="Anne-Sœur Œdipe-Łukasiewicz de la Grande-Écluse-sur-Mer",
    parcours_title=TITLE,
    kind="parcours",
    level_titles=[
        "Connaissances — Comprendre les modèles socio-économiques d'intérêt général",
        "Compétences — Accompagner une structure sur son modèle",
        "Expertise — Outiller, orienter et animer l'écosystème",
    ],
    completed_on=date(2026, 11, 23),
    issuer_name="Parcours",
    network_name="Réseau des ressourceries et recycleries d’Île-de-France",
    display_code="7KQ2-M9XH-4TPB",
    verification_url="https://parcours.example.org/verify/7KQ2M9XH4TPB",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=200, help="PDFs to render")
    parser.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() after the first render"
    )
    args = parser.parse_args()

    start = time.perf_counter()
    size = len(render_certificate_pdf(DOCUMENT))
    first = (time.perf_counter() - start) * 1000
    if args.gc_freeze:
        gc.collect()
        gc.freeze()

    times = []
    for _ in range(args.n):
        start = time.perf_counter()
        render_certificate_pdf(DOCUMENT)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(f"first PDF (fonts prepared): {first:.1f} ms")
    label = f"{args.n} PDFs" + (" (gc frozen)" if args.gc_freeze else "")
    print(
        f"{label}: mean {statistics.fmean(times):.1f} ms, "
        f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms"
    )
    print(f"PDF size: {size / 1024:.1f} KiB ({size} bytes)")


if __name__ == "__main__":
    main()
