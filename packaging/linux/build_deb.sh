#!/usr/bin/env bash
# Build persona-studio_VERSION_ARCH.deb from a PyInstaller one-folder bundle.
# usage: build_deb.sh BUNDLE_DIR OUT.deb VERSION ARCH [gzip|xz|zstd]
# Layout: /opt/persona-studio/ (the bundle), /usr/bin/studio -> /opt/persona-studio/studio,
# desktop entry, icons and the application/x-persona-project MIME type. The icon cache,
# desktop database and MIME database are refreshed by dpkg triggers, so no maintainer scripts.
set -euo pipefail
bundle=$(realpath "$1"); out=$2; version=$3; arch=$4; compress=${5:-gzip}
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d "$(dirname "$out")/deb-root.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/opt" "$root/usr/bin" "$root/DEBIAN" \
  "$root/usr/share/applications" "$root/usr/share/mime/packages" \
  "$root/usr/share/icons/hicolor/256x256/apps" "$root/usr/share/icons/hicolor/scalable/apps" \
  "$root/usr/share/doc/persona-studio"
# Hard links when the bundle is on the same file system: no second copy of ~1.5 GB.
cp -al "$bundle" "$root/opt/persona-studio" 2>/dev/null || cp -a "$bundle" "$root/opt/persona-studio"
chmod -R u+rwX,go+rX,go-w "$root/opt/persona-studio"
ln -s /opt/persona-studio/studio "$root/usr/bin/studio"
install -m 644 "$here/persona-studio.desktop" "$root/usr/share/applications/"
install -m 644 "$here/persona-studio-mime.xml" "$root/usr/share/mime/packages/persona-studio.xml"
install -m 644 "$here/persona-studio.png" "$root/usr/share/icons/hicolor/256x256/apps/"
install -m 644 "$here/persona-studio.svg" "$root/usr/share/icons/hicolor/scalable/apps/"
cat > "$root/usr/share/doc/persona-studio/copyright" <<COPYRIGHT
Persona Studio — GPL-3.0-or-later (see /usr/share/common-licenses/GPL-3).
The bundle in /opt/persona-studio includes third-party components under their own licences
(Qt/PySide6: LGPL-3.0; PyTorch: BSD-3-Clause; FFmpeg (imageio-ffmpeg build): GPL;
Piper: GPL-3.0; dlib: BSL-1.0; dlib face models: CC0 / iBUG 300-W non-commercial for the
68-point predictor; joe voice: CC0). Model weights are not included; they are downloaded
by the user, and each model's licence is shown in the model dialog and recorded in provenance.
COPYRIGHT

size_kb=$(du -sk "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: persona-studio
Version: $version
Architecture: $arch
Maintainer: Persona Studio developers <maintainers@persona-studio.invalid>
Installed-Size: $size_kb
Section: graphics
Priority: optional
Homepage: https://github.com/persona-studio/persona-studio
Depends: libc6 (>= 2.31), libgl1, libegl1, libfontconfig1, libxkbcommon0, libxkbcommon-x11-0, libdbus-1-3, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0, libxcb-xinerama0, libxcb-randr0, libxcb-render-util0, libxcb-image0
Recommends: libpulse0, shared-mime-info, desktop-file-utils
Description: desktop studio for virtual influencers
 One persona project per character holds its reference faces, voice, style and
 every asset made for it. Persona Studio makes consistent stills (SDXL + face
 swap), motion (Stable Video Diffusion), narration in the persona's voice,
 lip-sync, captions and social exports, from the window or the \`studio\` command.
 .
 Self-contained: Python, Qt, PyTorch, ffmpeg, the Piper voice and the dlib face
 models are inside /opt/persona-studio. Large model weights are downloaded on
 first use (\`studio models download ID\`).
CONTROL
dpkg-deb --root-owner-group -Z"$compress" --build "$root" "$out.part" >/dev/null
mv "$out.part" "$out"
