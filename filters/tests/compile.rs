//! The compiler: exact flows are recognised, entries are counted, what the card cannot
//! express is refused with the part of the expression at fault, tables refuse to overflow.

use arsenic_filters::table::FlowKey;
use arsenic_filters::{compile, parse, Compiled, FilterError, FilterSet, TableParams};

fn compiled(e: &str) -> Compiled {
    compile(&parse(e).unwrap()).unwrap_or_else(|err| panic!("{e}: {err}"))
}

#[test]
fn exact_flows_are_recognised() {
    for e in [
        "tcp and dst host 10.0.0.1 and dst port 80",
        "ip and udp and dst host 192.0.2.7 and dst port 53",
        "tcp and src host 10.0.0.2 and src port 4000 and dst host 10.0.0.1 and dst port 80",
        "ip6 and tcp and dst host fd00::1 and dst port 443",
        "tcp and src host fd00::2 and src port 9 and dst host fd00::1 and dst port 443",
        "sctp and dst host 10.0.0.1 and dst port 5000",
    ] {
        match compiled(e) {
            Compiled::Flow(k) => println!("{e}: {k}"),
            other => panic!("{e}: not an exact flow: {other:?}"),
        }
    }
    let Compiled::Flow(FlowKey {
        src, dst, proto, ..
    }) = compiled("tcp and dst host 10.0.0.1 and dst port 80")
    else {
        panic!()
    };
    assert_eq!(
        (src, dst, proto),
        (None, ("10.0.0.1".parse().unwrap(), 80), 6)
    );
}

#[test]
fn everything_else_takes_masked_rules() {
    // (terms, literals): every IPv4/IPv6 and TCP/UDP/SCTP and source/destination case of
    // libpcap's definition is a term; ranges split into prefixes.
    for (e, usage) in [
        ("port 80", (12, 14)),
        ("tcp", (3, 6)),
        ("ip", (1, 1)),
        ("net 10.0.0.0/8", (6, 7)),
        ("host 10.0.0.1", (6, 7)),
        ("tcp dst portrange 1024-65535", (12, 17)),
        ("vlan 100 and ip", (3, 5)),
        ("not ip", (1, 1)),
        ("tcp[tcpflags] & tcp-syn != 0", (1, 5)),
        ("udp and not port 53", (4, 13)),
    ] {
        let c = compiled(e);
        let (t, l, _) = c.usage();
        match c {
            Compiled::Rules(_) => assert_eq!((t, l), usage, "{e}"),
            Compiled::Flow(k) => panic!("{e} compiled to a flow {k}"),
        }
    }
}

#[test]
fn what_the_card_cannot_express_is_refused_with_a_pointer() {
    for (e, part) in [
        ("tcp[200] = 1", "tcp[200] = 1"),
        ("ip and ip[2:2] & 0xff00 > 5", "ip[2:2] & 0xff00 > 5"),
        ("ether[130] = 0", "ether[130] = 0"),
    ] {
        let err = compile(&parse(e).unwrap()).unwrap_err();
        let FilterError::Lower(l) = &err else {
            panic!("{e}: {err}")
        };
        assert_eq!(&e[l.span.clone()], part, "{e}: {err}");
    }
    let err = parse("tcp port http").unwrap_err();
    assert_eq!(&"tcp port http"[err.span.clone()], "http");
    assert!(matches!(
        compile(&parse("ip and not ip").unwrap()),
        Err(FilterError::Empty)
    ));
}

#[test]
fn tables_do_not_overflow() {
    let mut set = FilterSet::new(TableParams {
        terms: 14,
        literals: 128,
        flows: 2,
    });
    set.install("tcp and dst host 10.0.0.1 and dst port 80", 1, 0)
        .unwrap();
    set.install("tcp and dst host 10.0.0.1 and dst port 81", 1, 0)
        .unwrap();
    let e = set
        .install("tcp and dst host 10.0.0.1 and dst port 82", 1, 0)
        .unwrap_err();
    assert!(
        matches!(
            e,
            FilterError::Full {
                what: "exact-flow entries",
                ..
            }
        ),
        "{e}"
    );
    assert!(matches!(
        set.install("tcp and dst host 10.0.0.1 and dst port 80", 2, 0),
        Err(FilterError::Full { .. }) | Err(FilterError::DuplicateFlow(..))
    ));
    set.install("port 80", 2, 0).unwrap();
    let e = set
        .install("tcp dst portrange 1024-65535", 3, 0)
        .unwrap_err();
    assert!(
        matches!(
            e,
            FilterError::Full {
                what: "masked-rule terms",
                ..
            }
        ),
        "{e}"
    );
    let (_, f) = set.list().next().unwrap();
    assert_eq!(f.vi, 1);
    set.remove(0).unwrap();
    set.install("tcp and dst host 10.0.0.1 and dst port 82", 1, 0)
        .unwrap();
}

#[test]
fn without_a_flow_table_exact_flows_take_masked_rules() {
    use arsenic_filters::compile_for;
    let e = "tcp and src host 10.0.0.2 and src port 4000 and dst host 10.0.0.1 and dst port 80";
    let expr = parse(e).unwrap();
    assert!(matches!(
        compile_for(&expr, true).unwrap(),
        Compiled::Flow(_)
    ));
    let Compiled::Rules(terms) = compile_for(&expr, false).unwrap() else {
        panic!("{e}: an exact flow without a flow table")
    };
    assert_eq!(terms.len(), 1, "{e}: one term, {terms:?}");
    // A table without flows installs the same filter in its rules, and counts it there.
    let mut set = FilterSet::new(TableParams {
        terms: 8,
        literals: 16,
        flows: 0,
    });
    set.install(e, 1, 0).unwrap();
    let (t, l, f) = set.usage();
    assert_eq!((t, f), (1, 0));
    assert!(l > 0 && l <= 16, "{l} literals");
}
