// Package tsa is the sandbox's RFC 3161 timestamp authority: an
// http.Handler that answers POSTed TimeStampReq messages
// (application/timestamp-query) with TimeStampResp messages
// (application/timestamp-reply), signing each TSTInfo with a certificate
// whose only extended key usage is a critical id-kp-timeStamping, as
// openssl ts -verify and PAdES validators demand.
//
// It imitates a real TSA closely enough for clients to be tested against
// it: SHA-256, SHA-384 and SHA-512 imprints, nonces echoed, certificates
// included when certReq asks for them, unique serial numbers, and proper
// rejection responses (status rejection with a failInfo) for malformed
// requests, unknown algorithms, policies and extensions.
package tsa
