// Package nonroot is the root of a library that lets Go programs run other
// programs without handing them host root. (Overview to follow.)
package nonroot
