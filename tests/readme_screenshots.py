"""Copy the report screenshots of the last `make test` (tests/artifacts/) into docs/images/
(shown by the README and docs/analysts.md), cut to the top of each page and reduced
(`make screenshots`)."""

from __future__ import annotations

from PIL import Image

from citytiers.settings import PROJECT_ROOT
from tests.conftest import ARTIFACTS

# Image -> (the screenshot it is cut from, the height in pixels the page shows).
SHOWN = {"quality_report": ("quality_report_1280", 1900),
         "analytics_report": ("analytics_report", 2100),
         "city_profile": ("city_profile", 1300)}
WIDTH = 900


def main() -> None:
    target = PROJECT_ROOT / "docs" / "images"
    target.mkdir(parents=True, exist_ok=True)
    for name, (source, height) in SHOWN.items():
        image = Image.open(ARTIFACTS / f"{source}.png").convert("RGB")
        image = image.crop((0, 0, image.width, min(height, image.height)))
        image = image.resize((WIDTH, round(image.height * WIDTH / image.width)),
                             Image.Resampling.LANCZOS)
        image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(
            target / f"{name}.png", optimize=True)
        print(f"wrote {target / name}.png")


if __name__ == "__main__":
    main()
