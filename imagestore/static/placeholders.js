// Paints each <img data-imagestore-placeholder> in its image's dominant colour until the
// image has loaded. Through the CSSOM, which a Content-Security-Policy does not govern:
// the store's pages forbid inline styles. A host page includes it with
//   <script src="{{ url_for('imagestore.static', filename='placeholders.js') }}" defer></script>
"use strict";

function paintPlaceholder(image) {
  if (image.complete && image.naturalWidth > 0) return;
  image.style.backgroundColor = image.dataset.imagestorePlaceholder;
  const clear = () => image.style.removeProperty("background-color");
  image.addEventListener("load", clear, { once: true });
  image.addEventListener("error", clear, { once: true });
}

for (const image of document.querySelectorAll("img[data-imagestore-placeholder]")) paintPlaceholder(image);
