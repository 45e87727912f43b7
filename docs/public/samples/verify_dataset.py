#!/usr/bin/env python3
"""Re-check an Upstream dataset record with no Ethereum library and no project code.

    python3 verify_dataset.py <api-url> <dataset uuid or content root> [--rpc <json-rpc url>]

1. Rebuilds the dataset's content root from its public file list (path, size, sha256 of each file)
   as an OpenZeppelin StandardMerkleTree, and compares it with the record's contentRoot.
2. Checks the record's batch proof: its EIP-712 digest is a leaf of the anchored batch root.
3. With --rpc, asks the chain over plain JSON-RPC (eth_call) whether that batch root is anchored:
   ProvenanceRegistry.anchoredAt(root) > 0.

Uses the standard library (hashlib for SHA-256, urllib for HTTP) and keccak-256 from Debian's
python3-pycryptodome (`Cryptodome`) or PyCryptodome (`Crypto`) when installed; otherwise the small
pure-Python Keccak below (slow but exact). Exit 0 when everything matches, 1 otherwise.
"""
import json
import os
import sys
import urllib.parse
import urllib.request


# ---- keccak-256 (Ethereum's: the original Keccak padding, not SHA3-256's) ----

def _pure_keccak256(data: bytes) -> bytes:
    rc = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
          0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
          0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
          0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
          0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
          0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
    rot = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61],
           [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]  # rot[x][y]
    mask = (1 << 64) - 1

    def rol(v, n):
        return ((v << n) | (v >> (64 - n))) & mask if n else v

    rate = 136
    if len(data) % rate == rate - 1:  # one byte of room: the first and last padding bits share it
        padded = bytearray(data) + b'\x81'
    else:
        padded = bytearray(data) + b'\x01' + b'\x00' * ((-len(data) - 2) % rate) + b'\x80'
    a = [[0] * 5 for _ in range(5)]
    for block in range(0, len(padded), rate):
        for i in range(rate // 8):
            a[i % 5][i // 5] ^= int.from_bytes(padded[block + 8 * i:block + 8 * i + 8], 'little')
        for r in rc:
            c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
            d = [c[(x - 1) % 5] ^ rol(c[(x + 1) % 5], 1) for x in range(5)]
            a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
            b = [[0] * 5 for _ in range(5)]
            for x in range(5):
                for y in range(5):
                    b[y][(2 * x + 3 * y) % 5] = rol(a[x][y], rot[x][y])
            a = [[b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
            a[0][0] ^= r
    return b''.join(a[i % 5][i // 5].to_bytes(8, 'little') for i in range(4))


def _library_keccak256():
    for module in ('Cryptodome.Hash', 'Crypto.Hash'):
        try:
            keccak = __import__(module, fromlist=['keccak']).keccak
        except ImportError:
            continue
        return module, lambda data: keccak.new(digest_bits=256, data=data).digest()
    return None, None


KECCAK_SOURCE, keccak256 = _library_keccak256()
if keccak256 is None or os.environ.get('UPSTREAM_SAMPLE_PURE_KECCAK') == '1':
    KECCAK_SOURCE, keccak256 = 'pure Python', _pure_keccak256


# ---- ABI encoding and OpenZeppelin's StandardMerkleTree ----

def word(n: int) -> bytes:
    return n.to_bytes(32, 'big')


def hexbytes(h: str) -> bytes:
    return bytes.fromhex(h[2:] if h.startswith('0x') else h)


def content_leaf(path: str, size: int, sha256_hex: str) -> bytes:
    """abi.encode(string path, uint256 size, bytes32 sha256): head (offset 0x60, size, digest), then the string."""
    raw = path.encode('utf-8')
    return word(0x60) + word(size) + hexbytes(sha256_hex) + word(len(raw)) + raw + b'\x00' * (-len(raw) % 32)


def leaf_hash(encoded: bytes) -> bytes:
    return keccak256(keccak256(encoded))  # double-hashed leaves


def hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak256(min(a, b) + max(a, b))  # sorted pairs


def standard_tree_root(leaves: list) -> bytes:
    """OpenZeppelin's makeMerkleTree: leaves sorted by hash at the end of an array, parents filled backwards."""
    leaves = sorted(leaves)
    tree = [b''] * (2 * len(leaves) - 1)
    for i, leaf in enumerate(leaves):
        tree[len(tree) - 1 - i] = leaf
    for i in range(len(tree) - 1 - len(leaves), -1, -1):
        tree[i] = hash_pair(tree[2 * i + 1], tree[2 * i + 2])
    return tree[0]


def verify_proof(leaf: bytes, proof: list, root: bytes) -> bool:
    node = leaf
    for sibling in proof:
        node = hash_pair(node, hexbytes(sibling))
    return node == root


# ---- the public record ----

def get(api: str, path: str, **query) -> dict:
    url = api.rstrip('/') + path + ('?' + urllib.parse.urlencode(query) if query else '')
    with urllib.request.urlopen(url, timeout=30) as res:
        return json.load(res)


def eth_call(rpc: str, to: str, data: str) -> str:
    body = json.dumps({'jsonrpc': '2.0', 'id': 1, 'method': 'eth_call',
                       'params': [{'to': to, 'data': data}, 'latest']}).encode()
    req = urllib.request.Request(rpc, body, {'Content-Type': 'application/json'})
    with urllib.request.urlopen(req, timeout=30) as res:
        answer = json.load(res)
    if 'error' in answer:
        raise RuntimeError(answer['error'])
    return answer['result']


def main(argv: list) -> int:
    args = [a for a in argv if not a.startswith('--')]
    rpc = argv[argv.index('--rpc') + 1] if '--rpc' in argv else None
    if rpc:
        args.remove(rpc)
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    api, ref = args
    dataset = get(api, '/datasets/' + ref)
    files, cursor = [], None
    while True:
        page = get(api, '/datasets/%s/files' % ref, limit=500, **({'cursor': cursor} if cursor else {}))
        files += page['items']
        cursor = page['nextCursor']
        if not cursor:
            break

    ok = True
    root = standard_tree_root([leaf_hash(content_leaf(f['path'], int(f['size']), f['sha256'])) for f in files])
    print('keccak-256     %s' % KECCAK_SOURCE)
    print('files          %d' % len(files))
    print('content root   0x%s' % root.hex())
    same = '0x' + root.hex() == dataset['contentRoot']
    ok &= same
    print('record says    %s  %s' % (dataset['contentRoot'], 'MATCH' if same else 'MISMATCH'))

    anchor = dataset['anchorStatus']
    batch = anchor.get('batch')
    if batch:
        inside = verify_proof(leaf_hash(hexbytes(dataset['digest'])), batch['proof'], hexbytes(batch['root']))
        ok &= inside
        print('batch proof    digest in batch root %s  %s' % (batch['root'], 'VALID' if inside else 'INVALID'))
    else:
        print('batch proof    not batched yet (%s)' % anchor['state'])
    if rpc and batch:
        selector = keccak256(b'anchoredAt(bytes32)')[:4].hex()
        when = int(eth_call(rpc, anchor['registry'], '0x' + selector + batch['root'][2:]), 16)
        ok &= when > 0
        print('on chain       anchoredAt(batch root) = %d  %s' % (when, 'ANCHORED' if when > 0 else 'NOT ANCHORED'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
