/// The Unicode character classes the Rust library and its regex engine (Oniguruma) use, on Unicode scalars
/// (a Rust `char`).
enum UnicodeClasses {
    /// `char::is_whitespace` and Oniguruma's `\s` on UTF-8 text: the Unicode `White_Space` property
    /// (TAB..CR, space, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 { return v == 0x20 || (0x09...0x0D).contains(v) }
        return scalar.properties.isWhitespace
    }

    /// `\p{L}`: general category Lu, Ll, Lt, Lm or Lo.
    @inline(__always)
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 { return (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) }
        return GeneralCategoryMask(scalar).isSubset(of: .letter)
    }

    /// `\p{N}` and `char::is_numeric`: general category Nd, Nl or No.
    @inline(__always)
    static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 { return (0x30...0x39).contains(v) }
        return GeneralCategoryMask(scalar).isSubset(of: .number)
    }

    /// `char::is_alphanumeric`: the `Alphabetic` property or a number category.
    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || isNumber(scalar)
    }
}

/// A set of Unicode general categories as a bit mask, for fast class tests.
struct GeneralCategoryMask: OptionSet, Hashable, Sendable {
    let rawValue: UInt32

    init(rawValue: UInt32) { self.rawValue = rawValue }

    init(_ scalar: Unicode.Scalar) {
        self.init(rawValue: 1 << Self.bit(scalar.properties.generalCategory))
    }

    private static func bit(_ category: Unicode.GeneralCategory) -> UInt32 {
        switch category {
        case .uppercaseLetter: 0
        case .lowercaseLetter: 1
        case .titlecaseLetter: 2
        case .modifierLetter: 3
        case .otherLetter: 4
        case .nonspacingMark: 5
        case .spacingMark: 6
        case .enclosingMark: 7
        case .decimalNumber: 8
        case .letterNumber: 9
        case .otherNumber: 10
        case .connectorPunctuation: 11
        case .dashPunctuation: 12
        case .openPunctuation: 13
        case .closePunctuation: 14
        case .initialPunctuation: 15
        case .finalPunctuation: 16
        case .otherPunctuation: 17
        case .mathSymbol: 18
        case .currencySymbol: 19
        case .modifierSymbol: 20
        case .otherSymbol: 21
        case .spaceSeparator: 22
        case .lineSeparator: 23
        case .paragraphSeparator: 24
        case .control: 25
        case .format: 26
        case .surrogate: 27
        case .privateUse: 28
        case .unassigned: 29
        @unknown default: 29
        }
    }

    static let lu = Self(rawValue: 1 << 0), ll = Self(rawValue: 1 << 1), lt = Self(rawValue: 1 << 2)
    static let lm = Self(rawValue: 1 << 3), lo = Self(rawValue: 1 << 4)
    static let mn = Self(rawValue: 1 << 5), mc = Self(rawValue: 1 << 6), me = Self(rawValue: 1 << 7)
    static let nd = Self(rawValue: 1 << 8), nl = Self(rawValue: 1 << 9), no = Self(rawValue: 1 << 10)
    static let pc = Self(rawValue: 1 << 11), pd = Self(rawValue: 1 << 12), ps = Self(rawValue: 1 << 13)
    static let pe = Self(rawValue: 1 << 14), pi = Self(rawValue: 1 << 15), pf = Self(rawValue: 1 << 16)
    static let po = Self(rawValue: 1 << 17)
    static let sm = Self(rawValue: 1 << 18), sc = Self(rawValue: 1 << 19), sk = Self(rawValue: 1 << 20)
    static let so = Self(rawValue: 1 << 21)
    static let zs = Self(rawValue: 1 << 22), zl = Self(rawValue: 1 << 23), zp = Self(rawValue: 1 << 24)
    static let cc = Self(rawValue: 1 << 25), cf = Self(rawValue: 1 << 26), cs = Self(rawValue: 1 << 27)
    static let co = Self(rawValue: 1 << 28), cn = Self(rawValue: 1 << 29)

    static let letter: Self = [.lu, .ll, .lt, .lm, .lo]
    static let mark: Self = [.mn, .mc, .me]
    static let number: Self = [.nd, .nl, .no]
    static let punctuation: Self = [.pc, .pd, .ps, .pe, .pi, .pf, .po]
    static let symbol: Self = [.sm, .sc, .sk, .so]
    static let separator: Self = [.zs, .zl, .zp]
    static let other: Self = [.cc, .cf, .cs, .co, .cn]

    /// The `\p{…}` names this library understands: one- and two-letter general categories and their long names.
    static func named(_ name: String) -> Self? {
        switch name {
        case "L", "Letter": .letter
        case "Lu", "Uppercase_Letter": .lu
        case "Ll", "Lowercase_Letter": .ll
        case "Lt", "Titlecase_Letter": .lt
        case "Lm", "Modifier_Letter": .lm
        case "Lo", "Other_Letter": .lo
        case "M", "Mark": .mark
        case "Mn", "Nonspacing_Mark": .mn
        case "Mc", "Spacing_Mark": .mc
        case "Me", "Enclosing_Mark": .me
        case "N", "Number": .number
        case "Nd", "Decimal_Number": .nd
        case "Nl", "Letter_Number": .nl
        case "No", "Other_Number": .no
        case "P", "Punctuation": .punctuation
        case "Pc", "Connector_Punctuation": .pc
        case "Pd", "Dash_Punctuation": .pd
        case "Ps", "Open_Punctuation": .ps
        case "Pe", "Close_Punctuation": .pe
        case "Pi", "Initial_Punctuation": .pi
        case "Pf", "Final_Punctuation": .pf
        case "Po", "Other_Punctuation": .po
        case "S", "Symbol": .symbol
        case "Sm", "Math_Symbol": .sm
        case "Sc", "Currency_Symbol": .sc
        case "Sk", "Modifier_Symbol": .sk
        case "So", "Other_Symbol": .so
        case "Z", "Separator": .separator
        case "Zs", "Space_Separator": .zs
        case "Zl", "Line_Separator": .zl
        case "Zp", "Paragraph_Separator": .zp
        case "C", "Other": .other
        case "Cc", "Control": .cc
        case "Cf", "Format": .cf
        case "Cs", "Surrogate": .cs
        case "Co", "Private_Use": .co
        case "Cn", "Unassigned": .cn
        default: nil
        }
    }
}
