// Package account holds the rules of people: registering (with an invite
// code or without), signing in, rotating and revoking refresh tokens,
// erasing an account, role and group invites, groups and who may see or
// lead them, profile changes, and the first admin.
//
// Each service (Accounts, Sessions, Invites, Groups) works over the small
// store interface it declares, with the clock and the random source passed
// in. Refusals are *Error values carrying a Code; the api package maps
// them to HTTP statuses. The package knows nothing of HTTP: no cookies,
// no status codes, no access tokens.
package account
