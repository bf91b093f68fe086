"""The portal: page routes, templates and the project's own JavaScript and CSS (no build step, no CDN)."""
