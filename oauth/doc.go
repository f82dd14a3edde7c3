// Package oauth runs OAuth 2.0's authorization-code flow the way Lightspeed O-Series (formerly
// Kounta) runs it, and any provider described by a Profile: it checks the Redirect URI before
// anything opens, catches the browser's answer on a loopback port (or takes the address the
// browser ended on, pasted by hand), exchanges the one-time code at once, and refreshes tokens
// one request at a time per company.
//
// The package knows nothing of windows or terminals. Start binds the listener and returns the
// address to open; the caller (the window, the command line or a test) decides how to open it,
// then calls Wait or Paste. Every failure that a person may see is a *problem.Error whose
// Summary is a plain sentence naming no command or button; no token, code, state, verifier or
// client secret ever reaches an error, a page, a log line or a %v.
//
// What it guarantees:
//   - PKCE (S256, RFC 7636) on every authorization unless the Profile sets NoPKCE.
//   - An answer is used only with this attempt's state and, when it carries iss (RFC 9207),
//     the expected issuer (Profile.Issuer, else the sign-in address's origin).
//   - A pasted address counts only at the Redirect URI's scheme, host, port and path.
//   - Token requests never follow a redirect, and plain http goes only to loopback: the
//     endpoints and the Redirect URI are https, or http to this computer.
//   - A refresh, once sent, is never abandoned: the caller's context counts only until the
//     request leaves; then the reply is awaited under RefreshTimeout and its tokens returned,
//     with Result.CallerGaveUp set if the caller had gone.
package oauth
