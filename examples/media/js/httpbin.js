// Marks the route the mouse is over on the httpbin home page.
for (const item of document.querySelectorAll('li')) {
  item.addEventListener('mouseenter', () => item.classList.add('hover'))
  item.addEventListener('mouseleave', () => item.classList.remove('hover'))
}
