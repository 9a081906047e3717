package main

import "fmt"

// The vector scanners: SHA-256d of 8 headers at once in the lanes of AVX2
// registers, or 16 in AVX-512 registers, each lane a nonce, down to the one
// word of each hash that decides almost every comparison with a target.

// Offsets of simdJob's fields in miner/grind (checked by its tests).
const (
	offState3 = 0  // the state after rounds 0-2 of the header's second block
	offMid    = 32 // the midstate, for the feed-forward
	offW      = 64 // the header's second block's sixteen words (word 3 unused)
)

// isa describes one instruction set's registers and idioms.
type isa struct {
	name  string // function name suffix: AVX2, AVX512
	lanes int
	reg   string // register prefix: Y or Z
	// wInRegs: the message schedule lives in registers (Z16-Z31) rather
	// than on the stack.
	wInRegs bool
}

var isas = []isa{
	{name: "AVX2", lanes: 8, reg: "Y"},
	{name: "AVX512", lanes: 16, reg: "Z", wInRegs: true},
}

type gen struct {
	*out
	isa isa
	// state registers a..h, renamed every round instead of moved.
	st [8]string
}

func (g *gen) r(i int) string { return fmt.Sprintf("%s%d", g.isa.reg, i) }
func (g *gen) vsize() int     { return 4 * g.isa.lanes }

// Register plan. AVX2 (16 registers): state 0-7, temporaries 8-13, the
// byte-swap mask 14; register 15 is left alone (Go's internal ABI keeps X15
// zero); the schedule, the lane offsets, the limit and a nonce slot are on
// the stack. AVX-512 (32 registers): the same, with the schedule in 16-31.
const (
	t0, t1, t2, t3, t4, t5 = 8, 9, 10, 11, 12, 13
	rBswap                 = 14
)

// wRef names message word i (mod 16): a register or a stack slot.
func (g *gen) wRef(i int) string {
	if g.isa.wInRegs {
		return g.r(16 + i%16)
	}
	return fmt.Sprintf("%d(SP)", (i%16)*g.vsize())
}

// loadW puts message word i into register dst (a copy when in memory).
func (g *gen) loadW(i int, dst string) string {
	if g.isa.wInRegs {
		return g.wRef(i)
	}
	g.f("VMOVDQU %s, %s", g.wRef(i), dst)
	return dst
}

// storeW writes register src as message word i.
func (g *gen) storeW(i int, src string) {
	if g.isa.wInRegs {
		if src != g.wRef(i) {
			g.f("%s %s, %s", g.movOp(), src, g.wRef(i))
		}
		return
	}
	g.f("VMOVDQU %s, %s", src, g.wRef(i))
}

// movU is the unaligned full-register move.
func (g *gen) movU() string {
	if g.isa.reg == "Z" {
		return "VMOVDQU32"
	}
	return "VMOVDQU"
}

func (g *gen) movOp() string {
	if g.isa.reg == "Z" {
		return "VMOVDQA32"
	}
	return "VMOVDQA"
}

// broadcast loads the 32-bit word at mem into every lane of dst.
func (g *gen) broadcast(mem, dst string) { g.f("VPBROADCASTD %s, %s", mem, dst) }

// ror sets dst to src rotated right by n in each lane; tmp is clobbered
// on AVX2.
func (g *gen) ror(src string, n int, dst, tmp string) {
	if g.isa.reg == "Z" {
		g.f("VPRORD $%d, %s, %s", n, src, dst)
		return
	}
	g.f("VPSRLD $%d, %s, %s", n, src, tmp)
	g.f("VPSLLD $%d, %s, %s", 32-n, src, dst)
	g.f("VPOR %s, %s, %s", tmp, dst, dst)
}

// xor3 sets dst to x ^ y ^ dst.
func (g *gen) xor3(x, y, dst string) {
	if g.isa.reg == "Z" {
		g.f("VPTERNLOGD $0x96, %s, %s, %s", x, y, dst)
		return
	}
	g.f("VPXOR %s, %s, %s", x, dst, dst)
	g.f("VPXOR %s, %s, %s", y, dst, dst)
}

// bigSigma sets dst to rotr(x,a) ^ rotr(x,b) ^ rotr(x,c).
func (g *gen) bigSigma(x string, a, b, c int, dst, s1, s2, tmp string) {
	g.ror(x, a, dst, tmp)
	g.ror(x, b, s1, tmp)
	g.ror(x, c, s2, tmp)
	g.xor3(s1, s2, dst)
}

// smallSigma sets dst to rotr(x,a) ^ rotr(x,b) ^ (x >> c).
func (g *gen) smallSigma(x string, a, b, c int, dst, s1, s2, tmp string) {
	g.ror(x, a, dst, tmp)
	g.ror(x, b, s1, tmp)
	g.f("VPSRLD $%d, %s, %s", c, x, s2)
	g.xor3(s1, s2, dst)
}

// ch sets dst to (e & f) ^ (^e & g).
func (g *gen) ch(e, f, gg, dst, tmp string) {
	if g.isa.reg == "Z" {
		g.f("%s %s, %s", g.movOp(), e, dst)
		g.f("VPTERNLOGD $0xca, %s, %s, %s", gg, f, dst)
		return
	}
	g.f("VPAND %s, %s, %s", f, e, dst)   // e & f
	g.f("VPANDN %s, %s, %s", gg, e, tmp) // ^e & g
	g.f("VPXOR %s, %s, %s", tmp, dst, dst)
}

// maj sets dst to (a & b) ^ (a & c) ^ (b & c).
func (g *gen) maj(a, b, c, dst, tmp string) {
	if g.isa.reg == "Z" {
		g.f("%s %s, %s", g.movOp(), a, dst)
		g.f("VPTERNLOGD $0xe8, %s, %s, %s", c, b, dst)
		return
	}
	g.f("VPOR %s, %s, %s", b, a, dst)    // a | b
	g.f("VPAND %s, %s, %s", c, dst, dst) // c & (a | b)
	g.f("VPAND %s, %s, %s", b, a, tmp)   // a & b
	g.f("VPOR %s, %s, %s", tmp, dst, dst)
}

// round runs SHA-256 round i on the state registers with message word
// register w (already holding W[i]).
func (g *gen) round(i int, w string) {
	a, b, c, d, e, f, gg, h := g.st[0], g.st[1], g.st[2], g.st[3], g.st[4], g.st[5], g.st[6], g.st[7]
	T1, S, C, tmp, s1, s2 := g.r(t0), g.r(t1), g.r(t2), g.r(t3), g.r(t4), g.r(t5)
	g.broadcast(fmt.Sprintf("k256<>+%d(SB)", 4*i), C)
	g.f("VPADDD %s, %s, %s", w, C, T1)
	g.f("VPADDD %s, %s, %s", h, T1, T1)
	g.bigSigma(e, 6, 11, 25, S, s1, s2, tmp)
	g.f("VPADDD %s, %s, %s", S, T1, T1)
	g.ch(e, f, gg, C, tmp)
	g.f("VPADDD %s, %s, %s", C, T1, T1)
	// d += T1; h = T1 + Σ0(a) + Maj(a,b,c).
	g.f("VPADDD %s, %s, %s", T1, d, d)
	g.bigSigma(a, 2, 13, 22, S, s1, s2, tmp)
	g.maj(a, b, c, C, tmp)
	g.f("VPADDD %s, %s, %s", S, T1, h)
	g.f("VPADDD %s, %s, %s", C, h, h)
	// Rename: the new a is h, the new e is d.
	g.st = [8]string{h, a, b, c, d, e, f, gg}
}

// schedule computes message word i (≥ 16) into its slot and returns the
// register holding it.
func (g *gen) schedule(i int) string {
	w2 := g.loadW(i-2, g.r(t0))
	g.smallSigma(w2, 17, 19, 10, g.r(t1), g.r(t2), g.r(t3), g.r(t4))
	w15 := g.loadW(i-15, g.r(t0))
	g.smallSigma(w15, 7, 18, 3, g.r(t5), g.r(t2), g.r(t3), g.r(t4))
	g.f("VPADDD %s, %s, %s", g.r(t5), g.r(t1), g.r(t1))
	w7 := g.loadW(i-7, g.r(t0))
	g.f("VPADDD %s, %s, %s", w7, g.r(t1), g.r(t1))
	w16 := g.loadW(i-16, g.r(t0))
	g.f("VPADDD %s, %s, %s", w16, g.r(t1), g.r(t1))
	g.storeW(i, g.r(t1))
	if g.isa.wInRegs {
		return g.wRef(i)
	}
	return g.r(t1)
}

// word returns a register holding message word i for a round: loaded
// (i < 16) or scheduled.
func (g *gen) word(i int) string {
	if i >= 16 {
		return g.schedule(i)
	}
	return g.loadW(i, g.r(t0))
}

// resetState names registers 0-7 a..h.
func (g *gen) resetState() {
	for i := range g.st {
		g.st[i] = g.r(i)
	}
}

// Stack slots besides the schedule: the lane offsets times step, the
// limit in every lane, and a 4-byte slot to broadcast a nonce from.
func (g *gen) slots() (laneStep, limit, nonce, frame int) {
	base := 0
	if !g.isa.wInRegs {
		base = 16 * g.vsize()
	}
	return base, base + g.vsize(), base + 2*g.vsize(), base + 3*g.vsize()
}

func (g *gen) scanner() {
	I := g.isa
	laneStep, limit, nonceSlot, frame := g.slots()
	V := func(i int) string { return g.r(i) }
	g.raw(fmt.Sprintf("// scan%s hashes count nonces (a positive multiple of %d) first,", I.name, I.lanes))
	g.raw("// first+step, ... of job j and returns the index of the first whose block")
	g.raw("// hash's most significant word is at most limit.")
	g.raw(fmt.Sprintf("TEXT ·scan%s(SB), NOSPLIT, $%d-29", I.name, frame))
	g.f("MOVQ j+0(FP), AX")
	g.f("MOVL first+8(FP), BX")
	g.f("MOVL step+12(FP), CX")
	g.f("MOVL count+16(FP), DX")
	g.f("MOVL limit+20(FP), SI")
	g.f("XORL DI, DI")
	g.f("MOVL CX, R8")
	g.f("IMULL $%d, R8", I.lanes) // the nonce step between iterations
	// Lane offsets times step, and the limit, in every lane.
	g.f("MOVL CX, %d(SP)", nonceSlot)
	g.broadcast(fmt.Sprintf("%d(SP)", nonceSlot), V(t0))
	g.f("%s lanes%d<>(SB), %s", g.movU(), I.lanes, V(t1))
	g.f("VPMULLD %s, %s, %s", V(t1), V(t0), V(t0))
	g.f("%s %s, %d(SP)", g.movU(), V(t0), laneStep)
	g.f("MOVL SI, %d(SP)", nonceSlot)
	g.broadcast(fmt.Sprintf("%d(SP)", nonceSlot), V(t0))
	g.f("%s %s, %d(SP)", g.movU(), V(t0), limit)
	g.f("%s bswap%d<>(SB), %s", g.movU(), I.lanes, V(rBswap))
	g.raw(fmt.Sprintf("loop%s:", I.name))
	// The header's second block: words from the job, word 3 the nonces.
	for i := 0; i < 16; i++ {
		if i == 3 {
			g.f("MOVL BX, %d(SP)", nonceSlot)
			g.broadcast(fmt.Sprintf("%d(SP)", nonceSlot), V(t0))
			g.f("VPADDD %d(SP), %s, %s", laneStep, V(t0), V(t0))
			g.f("VPSHUFB %s, %s, %s", V(rBswap), V(t0), V(t0))
			g.storeW(3, V(t0))
			continue
		}
		if g.isa.wInRegs {
			g.broadcast(fmt.Sprintf("%d(AX)", offW+4*i), g.wRef(i))
		} else {
			g.broadcast(fmt.Sprintf("%d(AX)", offW+4*i), V(t0))
			g.storeW(i, V(t0))
		}
	}
	g.resetState()
	for i := 0; i < 8; i++ {
		g.broadcast(fmt.Sprintf("%d(AX)", offState3+4*i), g.st[i])
	}
	for i := 3; i < 64; i++ {
		g.round(i, g.word(i))
	}
	// The first hash: the state plus the midstate, the second block's
	// words 0-7; then its padding.
	for i := 0; i < 8; i++ {
		g.broadcast(fmt.Sprintf("%d(AX)", offMid+4*i), V(t0))
		g.f("VPADDD %s, %s, %s", V(t0), g.st[i], V(t0))
		g.storeW(i, V(t0))
	}
	for i := 0; i < 8; i++ {
		if g.isa.wInRegs {
			g.broadcast(fmt.Sprintf("pad2<>+%d(SB)", 4*i), g.wRef(8+i))
		} else {
			g.broadcast(fmt.Sprintf("pad2<>+%d(SB)", 4*i), V(t0))
			g.storeW(8+i, V(t0))
		}
	}
	g.resetState()
	for i := 0; i < 8; i++ {
		g.broadcast(fmt.Sprintf("iv<>+%d(SB)", 4*i), g.st[i])
	}
	// Rounds 0-60: e is then the h of round 64, whose sum with iv[7] is
	// the hash's last state word.
	for i := 0; i <= 60; i++ {
		g.round(i, g.word(i))
	}
	g.broadcast("iv<>+28(SB)", V(t0))
	g.f("VPADDD %s, %s, %s", V(t0), g.st[4], V(t0))
	g.f("VPSHUFB %s, %s, %s", V(rBswap), V(t0), V(t0)) // the top 32 bits of the hash as a number
	if I.reg == "Z" {
		g.f("VMOVDQU32 %d(SP), %s", limit, V(t1))
		g.f("VPCMPUD $2, %s, %s, K1", V(t1), V(t0)) // lanes with top <= limit
		g.f("KMOVW K1, R9")
	} else {
		g.f("VMOVDQU %d(SP), %s", limit, V(t1))
		g.f("VPMINUD %s, %s, %s", V(t1), V(t0), V(t2))
		g.f("VPCMPEQD %s, %s, %s", V(t0), V(t2), V(t2)) // lanes with top <= limit
		g.f("VMOVMSKPS %s, R9", V(t2))
	}
	g.f("TESTL R9, R9")
	g.f("JNZ found%s", I.name)
	g.f("ADDL R8, BX")
	g.f("ADDL $%d, DI", I.lanes)
	g.f("CMPL DI, DX")
	g.f("JB loop%s", I.name)
	g.f("VZEROUPPER")
	g.f("MOVL DI, index+24(FP)")
	g.f("MOVB $0, found+28(FP)")
	g.f("RET")
	g.raw(fmt.Sprintf("found%s:", I.name))
	g.f("BSFL R9, R9")
	g.f("ADDL R9, DI")
	g.f("VZEROUPPER")
	g.f("MOVL DI, index+24(FP)")
	g.f("MOVB $1, found+28(FP)")
	g.f("RET")
	g.raw("")
}

// simdData emits the vector scanners' constant tables (k256 is shared).
func simdData(o *out) {
	o.table("iv", iv[:])
	o.table("pad2", block2[8:16]) // the second hash's padding
	for _, n := range []int{8, 16} {
		lanes := make([]uint32, n)
		bswap := make([]uint32, n)
		for i := range lanes {
			lanes[i] = uint32(i)
			// Byte indices within each 128-bit lane: 3 2 1 0, 7 6 5 4, ...
			j := uint32(4 * (i % 4))
			bswap[i] = (j + 3) | (j+2)<<8 | (j+1)<<16 | j<<24
		}
		o.table(fmt.Sprintf("lanes%d", n), lanes)
		o.table(fmt.Sprintf("bswap%d", n), bswap)
	}
}
