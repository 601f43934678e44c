package router

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
)

// requestIDHeader carries the id that correlates one request across the
// router, the app and their logs.
const requestIDHeader = "X-Request-Id"

// maxRequestIDLen bounds an id passed in by a client, as Heroku's router
// does (200 characters).
const maxRequestIDLen = 200

// requestID returns the client's id when it is sane, and a new one
// otherwise, so that a hostile id never reaches the app or the logs.
func requestID(given string) string {
	if saneRequestID(given) {
		return given
	}
	return newRequestID()
}

// saneRequestID accepts 1 to 200 characters from the set used by UUIDs,
// base64, and common tracing ids.
func saneRequestID(id string) bool {
	if len(id) == 0 || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !requestIDChar(id[i]) {
			return false
		}
	}
	return true
}

func requestIDChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == ':' || c == '+' || c == '/' || c == '='
}

// newRequestID returns a random (version 4) UUID. An id must be unique,
// not secret: the runtime's generator (ChaCha8, seeded from the kernel)
// costs a tenth of crypto/rand and makes ids as unique.
func newRequestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
