#!/usr/bin/env bash
# Draws the two Teams app icons of access-bot:
#   color.png    192x192, two people (one of "us", one from outside) on the accent colour
#   outline.png   32x32,  the same two people, pure white on a transparent background
#
#   deploy/teams-app/make-icons.sh [OUT_DIR]      (default: the folder of this script)
#
# The PNGs are committed; building the app package (build.sh) does not need this script.
# Run it only to change the design. Needs ImageMagick's `convert` (Debian 12: the
# `imagemagick` package: sudo apt-get install --no-install-recommends imagemagick).
# Same ImageMagick version -> byte-identical files (metadata and timestamps are stripped).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here}
mkdir -p "$out"

if ! command -v convert >/dev/null 2>&1 || ! convert -version 2>/dev/null | grep -q ImageMagick; then
  echo "make-icons.sh: ImageMagick's 'convert' is needed (Debian: apt-get install imagemagick)" >&2
  exit 1
fi

# Keep in sync with "accentColor" in manifest.template.json.
accent='#0B6A78'   # background of the colour icon
back='#9ADBD6'     # the person from outside (light tint of the accent)
front='#FFFFFF'    # the person from our organization

# The glyph, in the coordinates of the 192x192 colour icon (it fills about x 46..146,
# y 54..141, i.e. the 96-px safe zone plus a little, centred). Two people side by side:
# a head (circle) over shoulders (a rectangle with an elliptic top).
#   back person:  head centre (78,70) r16; shoulders from x 48 to 108, top at y 93
#   front person: head centre (112,76) r18; shoulders from x 78 to 146, top at y 101
back_head='circle 78,70 78,86'
back_body='path "M 48,141 V 121 A 30,28 0 0 1 108,121 V 141 Z"'
front_head='circle 112,76 112,94'
front_body='path "M 78,141 V 131 A 34,30 0 0 1 146,131 V 141 Z"'
gap=12          # colour icon: stroke width of the cut-out ring around the front person (half shows)
outline_gap=20  # the same for the 32-px outline icon, wider so that it stays visible

# shellcheck disable=SC2054  # the commas belong to ImageMagick options
strip=(-strip -define png:exclude-chunks=date,time -define png:color-type=6 -define png:bit-depth=8)

# Colour icon: drawn at 4x (768 px) and scaled down for smooth edges.
convert -size 768x768 "xc:$accent" \
  -draw "scale 4,4 fill $back stroke none $back_head" \
  -draw "scale 4,4 fill $back stroke none $back_body" \
  -draw "scale 4,4 fill $accent stroke $accent stroke-width $gap $front_head" \
  -draw "scale 4,4 fill $accent stroke $accent stroke-width $gap $front_body" \
  -draw "scale 4,4 fill $front stroke none $front_head" \
  -draw "scale 4,4 fill $front stroke none $front_body" \
  -filter Lanczos -resize 192x192 \
  "${strip[@]}" "$out/color.png"

# Outline icon: no padding, so the glyph box (x 46..146, y 54..141 -> 100x87) is mapped
# onto a 320x320 canvas (3.1x, centred) and scaled down to 32x32. The back person gets a
# transparent gap where the front person overlaps it (DstOut), then everything is forced
# to pure white so that only the alpha channel carries the shape (the faint ringing of the
# resize filter, alpha below 2%, is cleared).
s=3.1
tx=$(awk -v s=$s 'BEGIN { printf "%.2f", (320 - 100 * s) / 2 - 46 * s }')
ty=$(awk -v s=$s 'BEGIN { printf "%.2f", (320 - 87 * s) / 2 - 54 * s }')
xf="translate $tx,$ty scale $s,$s"
convert -size 320x320 xc:none \
  \( -size 320x320 xc:none \
     -draw "$xf fill white stroke none $back_head" \
     -draw "$xf fill white stroke none $back_body" \) -compose Over -composite \
  \( -size 320x320 xc:none \
     -draw "$xf fill white stroke white stroke-width $outline_gap $front_head" \
     -draw "$xf fill white stroke white stroke-width $outline_gap $front_body" \) -compose DstOut -composite \
  \( -size 320x320 xc:none \
     -draw "$xf fill white stroke none $front_head" \
     -draw "$xf fill white stroke none $front_body" \) -compose Over -composite \
  -filter Lanczos -resize 32x32 \
  -channel A -level 2%,100% +channel \
  -channel RGB -evaluate set 100% +channel \
  "${strip[@]}" "$out/outline.png"

echo "wrote $out/color.png and $out/outline.png"
