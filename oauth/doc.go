// Package oauth runs OAuth 2.0's authorization-code flow the way Lightspeed O-Series (formerly
// Kounta) runs it: it checks the Redirect URI before anything opens, catches the browser's answer
// on a loopback port (or takes the address the browser ended on, pasted by hand), exchanges the
// one-time code at once, and refreshes tokens one request at a time per company.
//
// The package knows nothing of windows or terminals. Start binds the listener and returns the
// address to open; the caller (the window, the command line or a test) decides how to open it,
// then calls Wait or Paste. Every failure that a person may see is a *problem.Error whose
// Summary is a plain sentence; no token, code, state, verifier or client secret ever reaches an
// error, a page, a log line or a %v.
package oauth
