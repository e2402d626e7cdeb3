export { stripeProvider } from './stripe.adapter';
