/** Props of {@linkcode HtmlPreview}. */
export interface HtmlPreviewProps {
  /** The artifact's inline preview URL (`/get-artifact?…&preview=html`). */
  src: string;
  /** The file's path, for the frame's accessible name. */
  path: string;
}

/**
 * An HTML artifact (autolog's `estimator.html`) in a frame sandboxed twice: the `sandbox`
 * attribute with no permissions (no scripts, an opaque origin, no forms, popups or top
 * navigation) and the server's CSP `sandbox` on the document itself, so the file can neither run
 * code nor reach kvflow's page, cookies or API.
 */
export function HtmlPreview({ src, path }: HtmlPreviewProps) {
  return (
    <>
      <p class="muted">Shown sandboxed: scripts in this file do not run.</p>
      <iframe
        class="artifacts__frame"
        sandbox=""
        src={src}
        title={`${path} (sandboxed preview)`}
        referrerpolicy="no-referrer"
        loading="lazy"
      />
    </>
  );
}
