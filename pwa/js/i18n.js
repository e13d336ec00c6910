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
 * detectLang picks the language the user chose, else bokmål: the app is
 * Norwegian first, whatever language the phone itself is set to (the join
 * and sign-in screens offer English with one tap).
 */
export function detectLang(saved) {
  return LANGS.includes(saved) ? saved : 'nb';
}
