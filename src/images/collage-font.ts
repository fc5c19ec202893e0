/**
 * The font the collage writes with: Inter (SIL Open Font License 1.1), shipped in the npm package
 * `@expo-google-fonts/inter` and handed to sharp as a `fontfile`, so that the text looks the same whatever fonts the
 * host has.
 *
 * A font file alone is not enough for that: fontconfig, which libvips' text rendering goes through, also applies the
 * host's rendering settings (Debian's default hints glyphs "slightly", which moves them by a pixel). {@link shippedFont}
 * therefore points fontconfig at a small configuration of Salon's own, written once per process, which reads the host's
 * (for the fonts that fill in glyphs Inter lacks) and then fixes antialiasing on and hinting off for every font.
 * Fontconfig reads it when libvips first draws text, so everything in the process that draws text calls
 * {@link shippedFont} before its first text.
 */
import { createHash } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

export interface ShippedFont {
  /** The family name inside the files, for sharp's `font` ("Inter 32", "Inter Bold 32"). */
  family: string;
  regular: string;
  bold: string;
}

const FAMILY = "Inter";
const PACKAGE = "@expo-google-fonts/inter";

let font: ShippedFont | undefined;

/** The shipped font's files, resolved inside the npm package (never a system path); pins fontconfig's settings first. */
export function shippedFont(): ShippedFont {
  if (font) return font;
  const require = createRequire(import.meta.url);
  const resolved = {
    family: FAMILY,
    regular: require.resolve(`${PACKAGE}/400Regular/Inter_400Regular.ttf`),
    bold: require.resolve(`${PACKAGE}/700Bold/Inter_700Bold.ttf`),
  };
  pinFontRendering();
  return (font = resolved);
}

/** Markup-safe text for sharp's text input, which reads Pango markup: `&`, `<` and `>` would otherwise be tags. */
export function pangoText(text: string): string {
  // Control characters (a newline in a prompt) would break a caption's lines; Pango rejects some of them outright.
  return text
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/**
 * Writes Salon's fontconfig file and points `FONTCONFIG_FILE` at it (the only way to configure libvips' fontconfig).
 * The configuration the process was started with (the operator's `FONTCONFIG_FILE`, else the system's) is included
 * first, so fallback fonts and cache directories stay as they were; only the rendering settings are fixed after it.
 */
function pinFontRendering(): void {
  const dir = path.join(tmpdir(), "salon-fontconfig");
  const base = process.env["FONTCONFIG_FILE"] || "/etc/fonts/fonts.conf";
  // A process started by one that pinned them (a test's bot process) inherits the pinned settings already.
  if (path.dirname(base) === dir) return;
  mkdirSync(dir, { recursive: true });
  const text = fontconfigFile(base, path.join(dir, "cache"));
  // Named after its content, so processes share one file; written aside and renamed, so none reads half of it.
  const file = path.join(dir, `fonts-${createHash("sha256").update(text).digest("hex").slice(0, 16)}.conf`);
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, text);
  renameSync(partial, file);
  process.env["FONTCONFIG_FILE"] = file;
}

export function fontconfigFile(base: string, cacheDir: string): string {
  const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">${escape(base)}</include>
  <cachedir>${escape(cacheDir)}</cachedir>
  <match target="font">
    <edit name="antialias" mode="assign"><bool>true</bool></edit>
    <edit name="hinting" mode="assign"><bool>false</bool></edit>
    <edit name="hintstyle" mode="assign"><const>hintnone</const></edit>
    <edit name="autohint" mode="assign"><bool>false</bool></edit>
    <edit name="rgba" mode="assign"><const>none</const></edit>
    <edit name="lcdfilter" mode="assign"><const>lcdnone</const></edit>
    <edit name="embolden" mode="assign"><bool>false</bool></edit>
    <edit name="embeddedbitmap" mode="assign"><bool>false</bool></edit>
  </match>
</fontconfig>
`;
}
