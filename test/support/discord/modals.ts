/**
 * Modals: the type 9 interaction response (a form with text inputs, checked against Discord's documented limits) and
 * the MODAL_SUBMIT (type 5) interaction a member's submission sends back.
 * Limits (discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-modal and
 * …/components/reference#text-input): custom_id ≤ 100, title ≤ 45, 1–5 top-level components; a text input (type 4) in
 * an action row (type 1), style 1 (short) or 2 (paragraph), label ≤ 45, min_length 0–4000, max_length 1–4000, value
 * ≤ 4000 and within them, placeholder ≤ 100.
 */
import { invalidFormBody } from './errors.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The text inputs of a modal, by custom_id. */
export type ModalInputs = Map<string, { required: boolean; minLength: number; maxLength: number; value?: string }>;

export function validateModal(data: Json | undefined): ModalInputs {
  const problems: Array<{ path: string; code: string; message: string }> = [];
  const bad = (path: string, message: string, code = 'BASE_TYPE_BAD_LENGTH') => problems.push({ path, code, message });
  const inputs: ModalInputs = new Map();
  if (!data || typeof data.custom_id !== 'string' || data.custom_id.length < 1 || data.custom_id.length > 100) bad('data.custom_id', 'Must be between 1 and 100 in length.');
  if (!data || typeof data.title !== 'string' || data.title.length < 1 || data.title.length > 45) bad('data.title', 'Must be between 1 and 45 in length.');
  const rows: Json[] = Array.isArray(data?.components) ? data.components : [];
  if (rows.length < 1 || rows.length > 5) bad('data.components', 'Must be between 1 and 5 in length.');
  rows.forEach((row, r) => {
    const inner: Json[] = row?.type === 1 && Array.isArray(row.components) ? row.components : [];
    if (inner.length !== 1) bad(`data.components.${r}.components`, 'An action row in a modal holds exactly one text input.', 'COMPONENT_LAYOUT_WIDTH_EXCEEDED');
    for (const [c, input] of inner.entries()) {
      const at = `data.components.${r}.components.${c}`;
      if (input?.type !== 4) { bad(`${at}.type`, 'Only text inputs go in a modal action row.', 'COMPONENT_TYPE_INVALID'); continue; }
      if (typeof input.custom_id !== 'string' || input.custom_id.length < 1 || input.custom_id.length > 100) bad(`${at}.custom_id`, 'Must be between 1 and 100 in length.');
      if (inputs.has(input.custom_id)) bad(`${at}.custom_id`, 'Component custom id cannot be duplicated', 'COMPONENT_CUSTOM_ID_DUPLICATED');
      if (input.style !== 1 && input.style !== 2) bad(`${at}.style`, 'Value must be one of {1, 2}.', 'BASE_TYPE_CHOICES');
      if (typeof input.label !== 'string' || input.label.length < 1 || input.label.length > 45) bad(`${at}.label`, 'Must be between 1 and 45 in length.');
      const minLength = input.min_length ?? 0;
      const maxLength = input.max_length ?? 4000;
      if (!(Number.isInteger(minLength) && minLength >= 0 && minLength <= 4000)) bad(`${at}.min_length`, 'int value should be between 0 and 4000.', 'NUMBER_TYPE_MAX');
      if (!(Number.isInteger(maxLength) && maxLength >= 1 && maxLength <= 4000)) bad(`${at}.max_length`, 'int value should be between 1 and 4000.', 'NUMBER_TYPE_MAX');
      if (input.placeholder !== undefined && (typeof input.placeholder !== 'string' || input.placeholder.length > 100)) bad(`${at}.placeholder`, 'Must be 100 or fewer in length.');
      if (input.value !== undefined && (typeof input.value !== 'string' || input.value.length > maxLength || input.value.length > 4000)) {
        bad(`${at}.value`, `Must be ${maxLength} or fewer in length.`);
      }
      inputs.set(input.custom_id, { required: input.required ?? true, minLength, maxLength, ...(typeof input.value === 'string' ? { value: input.value } : {}) });
    }
  });
  if (problems.length > 0) throw invalidFormBody(problems);
  return inputs;
}

/**
 * What the member's submission sends: each input's value (the prefilled value where the test gives none). Throws, as
 * Discord's client would refuse to submit, when a value is missing or outside its input's lengths.
 */
export function modalSubmitData(modal: Json, values: Record<string, string>): Json {
  const inputs = validateModal(modal);
  for (const name of Object.keys(values)) if (!inputs.has(name)) throw new Error(`FakeDiscord: the modal has no text input "${name}"`);
  const components = [...inputs].map(([customId, input]) => {
    const value = values[customId] ?? input.value ?? '';
    if ((input.required && value.length === 0) || value.length < input.minLength || value.length > input.maxLength) {
      throw new Error(`FakeDiscord: the client would not submit "${customId}" with ${value.length} characters (${input.minLength}–${input.maxLength})`);
    }
    return { type: 1, components: [{ type: 4, custom_id: customId, value }] };
  });
  return { custom_id: modal.custom_id, components };
}
