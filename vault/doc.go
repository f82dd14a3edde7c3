// Package vault is where Lightspeed Connect keeps what it has learned, so that no refresh token
// is ever lost and no secret touches the disk in the clear unless the person exports it.
//
// It has two halves with one rule between them:
//
//   - Secrets (the integration's client secret, each company's refresh token and access token)
//     live only in the operating system's keyring, one item per secret, all under one service
//     name. Every keyring call runs under a deadline, so a locked or hung keyring never freezes
//     the window. When the keyring is missing or refuses, the answer is a plain sentence saying
//     how to fix it on this operating system; there is never a fallback to a plain file.
//   - Everything else (the integration's client ID and URLs, each company's name and sites,
//     token expiry, the last check) lives in a JSON state file in the person's config
//     directory, written atomically with mode 0600 in a 0700 directory.
//
// The split of a token set follows that rule: the keyring holds the strings, the state file
// holds Company.AccessExpiry. Secrets.LoadTokens therefore returns tokens with a zero Expiry;
// Vault.Tokens joins both halves.
//
// Between a refresh's reply and the keyring's write, the new tokens are also sealed into a
// journal file beside the state, under a key only the keyring holds (see journal.go), so a
// kill in that moment loses nothing.
//
// A lock file beside the state file (and an in-process lock) makes the window and the command
// line take turns: whoever refreshes a token or writes the state holds the lock, so a rotated
// refresh token can never be overwritten by an older one.
//
// It keeps secrets and state and nothing else: the export files are written by package export,
// the diagnostics report is made by the connections core, and files are written whole by
// internal/atomicfile.
package vault
