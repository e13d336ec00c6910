// Translations: flat JSON files per language (i18n/nb.json is the
// default, bokmål). t(key, params) fills {name} placeholders; a missing key
// falls back to bokmål, then to the key itself so a gap is visible. When
// params.n is 1 and the dictionary has "<key>.one", that singular form is
// used (both languages have one singular and one plural).

/** LANGS lists the supported languages. */
export const LANGS = ['nb', 'en'];

/** loadI18n fetches the dictionaries and returns a translator for lang. */
export async function loadI18n(lang) {
  const want = LANGS.includes(lang) ? lang : 'nb';
  const nb = await fetchDict('nb');
  const dict = want === 'nb' ? nb : { ...nb, ...(await fetchDict(want)) };
  const t = translator(dict);
  t.lang = want;
  t.locale = want === 'nb' ? 'nb-NO' : 'en-GB';
  return t;
}

/** translator returns t(key, params) for a dictionary. */
export function translator(dict) {
  return (key, params) => {
    let s = (params && params.n === 1 && dict[`${key}.one`]) || dict[key] || key;
    if (params) for (const [k, v] of Object.entries(params)) s = s.split(`{${k}}`).join(String(v));
    return s;
  };
}

async function fetchDict(lang) {
  const res = await fetch(`/i18n/${lang}.json`);
  if (!res.ok) throw new Error(`i18n ${lang}: ${res.status}`);
  return res.json();
}

/**
 * detectLang picks the language the user chose on this device; else the
 * browser's: English when it asks for English and for no Norwegian (nb, nn
 * or no), bokmål otherwise. Once signed in, the account's language wins
 * (account.js).
 */
export function detectLang(saved, preferred = []) {
  if (LANGS.includes(saved)) return saved;
  const base = preferred.map((l) => String(l).toLowerCase().split('-')[0]);
  if (base.some((l) => l === 'nb' || l === 'nn' || l === 'no')) return 'nb';
  return base.includes('en') ? 'en' : 'nb';
}
