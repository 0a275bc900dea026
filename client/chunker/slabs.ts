/**
 * The buffers the chunker reads into, reused once every chunk cut from one is released. A chunk's
 * bytes are a view into a slab, so cutting copies nothing; a slab is handed out again only when it
 * is no longer being filled and no chunk of it is held (being hashed, kept for sending, being PUT).
 * A chunk that is never released simply keeps its slab from coming back: the runtime collects it
 * like any other buffer once nothing refers to it, so releasing is an optimisation, never a duty.
 */
export class Slab {
  /** Chunks cut from this slab and not yet released. */
  held = 0;
  /** The chunker is still reading into it. */
  filling = true;

  constructor(
    readonly bytes: Uint8Array,
    private readonly pool: SlabPool,
  ) {}

  /** A view of bytes [start, end) and the one call that gives them back (later calls do nothing). */
  lease(start: number, end: number): { bytes: Uint8Array; release: () => void } {
    this.held++;
    let released = false;
    return {
      bytes: this.bytes.subarray(start, end),
      release: () => {
        if (released) return;
        released = true;
        this.held--;
        this.pool.offer(this);
      },
    };
  }

  /** The chunker moved on to another slab: it comes back once its last chunk is released. */
  retire(): void {
    this.filling = false;
    this.pool.offer(this);
  }
}

export class SlabPool {
  private readonly spare: Slab[] = [];

  /**
   * @param size bytes per slab
   * @param keep free slabs kept for reuse; more are left to the garbage collector
   */
  constructor(
    readonly size: number,
    private readonly keep = 1,
  ) {}

  /** A slab of at least `bytes` (the pool's size, unless more is asked for), reused when one is free. */
  take(bytes = this.size): Slab {
    const slab = bytes <= this.size ? this.spare.pop() : undefined;
    if (slab) {
      slab.filling = true;
      return slab;
    }
    return new Slab(new Uint8Array(Math.max(bytes, this.size)), this);
  }

  offer(slab: Slab): void {
    if (slab.filling || slab.held > 0 || slab.bytes.length !== this.size || this.spare.length >= this.keep) return;
    this.spare.push(slab);
  }
}
