/**
 * @module
 * A hook for canvases that read the theme's CSS colours when they draw.
 */
import { useEffect, useState } from "preact/hooks";

/** A number that changes whenever the OS switches between light and dark, to redraw on. */
export function useSchemeChange(): number {
  const [scheme, setScheme] = useState(0);
  useEffect(() => {
    const mq = matchMedia("(prefers-color-scheme: dark)");
    const on = () => setScheme((n) => n + 1);
    mq.addEventListener("change", on);
    return () => mq.removeEventListener("change", on);
  }, []);
  return scheme;
}
