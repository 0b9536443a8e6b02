// Like most marketing forms, this one posts in the background (here: pretends to) and then
// shows a thank-you page. The field values stay on this page.
document.getElementById('demo-form').addEventListener('submit', (e) => {
  e.preventDefault();
  setTimeout(() => {
    location.href = 'thanks.html';
  }, 50);
});
