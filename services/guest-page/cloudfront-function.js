// CloudFront Function (runtime cloudfront-js-2.0), viewer request, on the guest site distribution.
// Guest pages are flat S3 objects g/{bookingId}.html; guests get the clean URL /g/{bookingId}.
// Booking ids are upper-case letters and digits, so a hand-typed lower-case id is served the same page
// (S3 keys are case-sensitive). A trailing slash is forgiven. Every other path goes to the origin untouched.
// The runtime has no modules: this file defines `handler` and nothing else. The local guest site and the
// unit tests run this very file.
function handler(event) {
  var request = event.request;
  var match = /^\/g\/([A-Za-z0-9]{6,12})\/?$/.exec(request.uri);
  if (match) {
    request.uri = '/g/' + match[1].toUpperCase() + '.html';
  }
  return request;
}
