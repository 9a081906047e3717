package main

import "fmt"

// The SHA-NI scanner: two nonces interleaved through the x86 SHA
// extensions, each hashed as the second block of the header from a saved
// state and then hashed again, down to the one word of the block hash that
// decides almost every comparison with a target.

// The constant message words of the two blocks hashed per nonce: the
// header's second block (words 4-15; words 0-2 come from the job, word 3 is
// the nonce) and the second hash's block (words 8-15; words 0-7 are the
// first hash).
var (
	block1 = [16]uint32{4: 0x80000000, 15: 640}
	block2 = [16]uint32{8: 0x80000000, 15: 256}
)

// Offsets of the job's fields, as shaniJob in miner/grind lays them out;
// its tests compare them with unsafe.Offsetof.
const (
	offState2ABEF = 0  // state after rounds 0 and 1 of block 1, ABEF lanes
	offState2CDGH = 16 // the same, CDGH lanes
	offMidABEF    = 32 // the midstate, ABEF lanes, for the feed-forward
	offMidCDGH    = 48 // the same, CDGH lanes
	offMsg0       = 64 // words 0-3 of block 1 (word 3 replaced by the nonce)
	offW2K2       = 80 // word 2 of block 1 plus k[2]
)

// stream is the registers of one of the interleaved hashes.
type stream struct {
	name     string
	s0, s1   string    // the state: ABEF and CDGH at every fourth round
	msg      [4]string // the message schedule's last sixteen words
	tmp      string
	nonceReg string // the nonce, big-endian (byte-swapped), in a GPR
	kwReg    string // scratch GPR
}

var streams = [2]stream{
	{name: "A", s0: "X1", s1: "X2", msg: [4]string{"X3", "X4", "X5", "X6"}, tmp: "X7", nonceReg: "R8", kwReg: "R9"},
	{name: "B", s0: "X8", s1: "X9", msg: [4]string{"X10", "X11", "X12", "X13"}, tmp: "X14", nonceReg: "R10", kwReg: "R11"},
}

// group emits rounds 4g..4g+3 of one stream: the message words plus round
// constants into X0 (kw names a constant K+W table entry when the words are
// known in advance), the two SHA256RNDS2, and the schedule's share of work
// for the later groups. last16 is the group where the schedule stops; half
// stops after the first two rounds.
func group(o *out, s *stream, g int, kw string, half bool) {
	m := s.msg
	cur, prev, next := m[g%4], m[(g+3)%4], m[(g+1)%4]
	if kw != "" {
		o.f("MOVOU %s, X0", kw)
	} else {
		o.f("MOVO %s, X0", cur)
		o.f("PADDD k256<>+%d(SB), X0", 16*g)
	}
	o.f("SHA256RNDS2 X0, %s, %s", s.s0, s.s1)
	if half {
		return
	}
	if g >= 3 && g <= 14 {
		o.f("MOVO %s, %s", cur, s.tmp)
		o.f("PALIGNR $4, %s, %s", prev, s.tmp)
		o.f("PADDD %s, %s", s.tmp, next)
		o.f("SHA256MSG2 %s, %s", cur, next)
	}
	o.f("PSHUFD $0x0e, X0, X0")
	o.f("SHA256RNDS2 X0, %s, %s", s.s1, s.s0)
	if g >= 1 && g <= 12 {
		o.f("SHA256MSG1 %s, %s", cur, prev)
	}
}

// shaniScanners emits scanSHANI and cpuHasSHA.
func shaniScanners(o *out) {
	// func scanSHANI(j *shaniJob, first, step, count, limit uint32) (index uint32, found bool)
	o.raw("// scanSHANI hashes count nonces (an even number, at least 2) first,")
	o.raw("// first+step, ... of job j and returns the index of the first whose block")
	o.raw("// hash's most significant word (the top 32 bits of the hash as a")
	o.raw("// little-endian number) is at most limit.")
	o.raw("TEXT ·scanSHANI(SB), NOSPLIT, $0-29")
	o.f("MOVQ j+0(FP), AX")
	o.f("MOVL first+8(FP), BX")
	o.f("MOVL step+12(FP), CX")
	o.f("MOVL count+16(FP), DX")
	o.f("MOVL limit+20(FP), SI")
	o.f("XORL DI, DI") // index of stream A's nonce
	o.raw("loop:")
	o.f("MOVL BX, R8")
	o.f("LEAL (BX)(CX*1), R10")
	for i := range streams {
		block1Start(o, &streams[i])
	}
	for g := 1; g < 16; g++ {
		for i := range streams {
			kw := ""
			if g <= 3 {
				kw = fmt.Sprintf("kw1<>+%d(SB)", 16*(g-1))
			}
			group(o, &streams[i], g, kw, false)
		}
	}
	for i := range streams {
		block2Start(o, &streams[i])
	}
	for g := 0; g < 16; g++ {
		for i := range streams {
			kw := ""
			if g == 2 || g == 3 {
				kw = fmt.Sprintf("kw2<>+%d(SB)", 16*(g-2))
			}
			group(o, &streams[i], g, kw, g == 15)
		}
	}
	// After rounds 0-61, s1 holds ABEF of round 62, whose F lane (0) is
	// the H of round 64: plus iv[7] it is the hash's last state word,
	// whose byte-swap is the hash's most significant 32 bits.
	for i, s := range streams {
		o.f("MOVL %s, R12", s.s1)
		o.f("ADDL $0x%08x, R12", iv[7])
		o.f("BSWAPL R12")
		o.f("CMPL R12, SI")
		if i == 0 {
			o.f("JLS foundA")
		} else {
			o.f("JLS foundB")
		}
	}
	o.f("LEAL (BX)(CX*2), BX")
	o.f("ADDL $2, DI")
	o.f("CMPL DI, DX")
	o.f("JB loop")
	o.f("MOVL DI, index+24(FP)")
	o.f("MOVB $0, found+28(FP)")
	o.f("RET")
	o.raw("foundB:")
	o.f("INCL DI")
	o.raw("foundA:")
	o.f("MOVL DI, index+24(FP)")
	o.f("MOVB $1, found+28(FP)")
	o.f("RET")
	o.raw("")

	// func cpuHasSHA() bool
	o.raw("// cpuHasSHA reports whether CPUID says the SHA extensions are present")
	o.raw("// (leaf 7, EBX bit 29).")
	o.raw("TEXT ·cpuHasSHA(SB), NOSPLIT, $0-1")
	o.f("MOVL $0, AX")
	o.f("CPUID")
	o.f("CMPL AX, $7")
	o.f("JB nosha")
	o.f("MOVL $7, AX")
	o.f("MOVL $0, CX")
	o.f("CPUID")
	o.f("SHRL $29, BX")
	o.f("ANDL $1, BX")
	o.f("MOVB BX, ret+0(FP)")
	o.f("RET")
	o.raw("nosha:")
	o.f("MOVB $0, ret+0(FP)")
	o.f("RET")
}

// block1Start loads stream s's state after rounds 0 and 1 of the header's
// second block, puts the nonce into the message, and runs rounds 2 and 3.
func block1Start(o *out, s *stream) {
	o.f("MOVOU %d(AX), %s", offState2ABEF, s.s1) // after two rounds the registers swap roles
	o.f("MOVOU %d(AX), %s", offState2CDGH, s.s0)
	o.f("MOVOU %d(AX), %s", offMsg0, s.msg[0])
	o.f("BSWAPL %s", s.nonceReg)
	o.f("PINSRD $3, %s, %s", s.nonceReg, s.msg[0])
	o.f("MOVOU c1m1<>(SB), %s", s.msg[1])
	o.f("PXOR %s, %s", s.msg[2], s.msg[2])
	o.f("MOVOU c1m3<>(SB), %s", s.msg[3])
	// X0's lanes 0 and 1: w2+k2, w3+k3.
	o.f("ADDL $0x%08x, %s", k[3], s.nonceReg)
	o.f("SHLQ $32, %s", s.nonceReg)
	o.f("MOVL %d(AX), %s", offW2K2, s.kwReg)
	o.f("ORQ %s, %s", s.kwReg, s.nonceReg)
	o.f("MOVQ %s, X0", s.nonceReg)
	o.f("SHA256RNDS2 X0, %s, %s", s.s1, s.s0)
	// Group 0's schedule work: none (SHA256MSG1 starts at group 1).
}

// block2Start adds the midstate to stream s's state (the first hash),
// makes it the message of the second hash, and loads that hash's initial
// state and padding.
func block2Start(o *out, s *stream) {
	o.f("MOVOU %d(AX), %s", offMidABEF, s.tmp)
	o.f("PADDD %s, %s", s.tmp, s.s0)
	o.f("MOVOU %d(AX), %s", offMidCDGH, s.tmp)
	o.f("PADDD %s, %s", s.tmp, s.s1)
	// ABEF, CDGH → words 0-3 and 4-7 in lane order.
	o.f("PSHUFD $0x1b, %s, %s", s.s0, s.tmp) // a b e f
	o.f("PSHUFD $0xb1, %s, %s", s.s1, s.s1)  // g h c d
	o.f("MOVO %s, %s", s.tmp, s.msg[0])
	o.f("PBLENDW $0xf0, %s, %s", s.s1, s.msg[0]) // a b c d
	o.f("PALIGNR $8, %s, %s", s.tmp, s.s1)       // e f g h
	o.f("MOVO %s, %s", s.s1, s.msg[1])
	o.f("MOVOU ivabef<>(SB), %s", s.s0)
	o.f("MOVOU ivcdgh<>(SB), %s", s.s1)
	o.f("MOVOU c2m2<>(SB), %s", s.msg[2])
	o.f("MOVOU c2m3<>(SB), %s", s.msg[3])
}

// shaniData emits the SHA-NI scanner's constant tables (k256 is shared).
func shaniData(o *out) {
	// K+W of block 1's groups 1-3 and block 2's groups 2-3: all constant.
	var kw1 []uint32
	for i := 4; i < 16; i++ {
		kw1 = append(kw1, k[i]+block1[i])
	}
	o.table("kw1", kw1)
	var kw2 []uint32
	for i := 8; i < 16; i++ {
		kw2 = append(kw2, k[i]+block2[i])
	}
	o.table("kw2", kw2)
	o.table("c1m1", block1[4:8])
	o.table("c1m3", block1[12:16])
	o.table("c2m2", block2[8:12])
	o.table("c2m3", block2[12:16])
	// The initial state in ABEF and CDGH lane order (lane 0 first).
	o.table("ivabef", []uint32{iv[5], iv[4], iv[1], iv[0]})
	o.table("ivcdgh", []uint32{iv[7], iv[6], iv[3], iv[2]})
}
