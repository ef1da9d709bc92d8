import { tryParseCidr } from '../api/net.js';

export interface UpFlags {
  detach: boolean;
  /** How many local workers to start (2 unless told). */
  workers: number;
  /** The VPC's range; the topology's default unless told. */
  vpcCidr?: string;
}

/** `skiff up`'s flags: `--detach` (`-d`), `--workers=N`, `--vpc-cidr=CIDR`; anything else is a one-line error. */
export function parseUpFlags(argv: string[]): UpFlags {
  const out: UpFlags = { detach: false, workers: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--detach' || a === '-d') {
      out.detach = true;
      continue;
    }
    const m = /^--(workers|vpc-cidr)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unknown flag: ${a}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`flag needs an argument: --${m[1]}`);
    if (m[1] === 'workers') {
      if (!/^\d+$/.test(value) || Number(value) > 20) throw new Error(`invalid --workers ${JSON.stringify(value)}: a number from 0 to 20`);
      out.workers = Number(value);
    } else {
      const cidr = tryParseCidr(value);
      if (!cidr || cidr.family !== 4 || cidr.prefix > 16) throw new Error(`invalid --vpc-cidr ${JSON.stringify(value)}: an IPv4 range of /16 or wider, e.g. 10.0.0.0/16`);
      out.vpcCidr = value;
    }
  }
  return out;
}
